package dev.weir.state.rocksdb;

import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.codec.MalformedDataException;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.KeyGroupFileReader;
import dev.weir.state.format.LengthPrefixedEntries;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * Converts the entries of {@link CanonicalSnapshotFormat} files into the {@link RocksDbKeyLayout}
 * as a {@link KeyGroupFileReader} reads them, into table files that RocksDB then ingests whole: the
 * key becomes {@code [keyGroup:2][keyLength:varint][key]}; a list value loses its count (the
 * RocksDB list value is the length-prefixed elements concatenated); a map value becomes one RocksDB
 * entry per user key under the key followed by the user key. No codec is needed, so states the
 * operator has not registered are converted too.
 *
 * <p>A table file takes its keys in strictly ascending bytewise order. The canonical format sorts
 * the entries of a state in a key group by serialized key, which is not the order of the RocksDB
 * keys when keys differ in length (the length comes first), so each state's entries of a key group
 * are converted into a buffer, sorted there (a check when they are already in order) and then
 * appended to the state's table file. Key groups come in ascending order within a file and, with
 * the files taken in key group order, across files; a key group seen again for a state (files that
 * overlap) starts a new table file, ingested after the first, so the later file wins as a write
 * would. Duplicate keys within a state and key group make the file corrupt.
 *
 * <p>Used by the task thread during a {@link RocksDbCanonicalRestore}: {@link #file} before each
 * file, {@link #finish()} after the last, {@link #close()} always.
 */
final class RocksDbCanonicalImport implements KeyGroupFileReader.EntrySink, AutoCloseable {

  /** The backend being restored ({@link RocksDbCanonicalRestore}). */
  interface Target {
    /** The column of a state, created (with its metadata) when absent. */
    RocksDbColumn restoredColumn(String name, StateKind kind) throws StateRestoreException;

    /** Options of the state column families, for table files that match them. */
    Options tableOptions();

    /** A path, not yet existing, for a new table file on the database's file system. */
    Path newTableFile() throws IOException;

    /** Ingests finished table files into a state's column family, in this order. */
    void ingest(RocksDbColumn column, List<Path> files) throws RocksDBException;
  }

  /** The table files of one state's column family. */
  private static final class Output {
    final RocksDbColumn column;
    final List<Path> files = new ArrayList<>();
    SstFileWriter writer; // null between files
    int lastKeyGroup = -1; // of the open file

    Output(RocksDbColumn column) {
      this.column = column;
    }
  }

  private final Target target;
  private final EnvOptions envOptions = new EnvOptions();
  private final Map<String, Output> outputs = new LinkedHashMap<>();
  private final ByteArrayWriter key = new ByteArrayWriter(64);
  private final ByteArrayReader in = new ByteArrayReader();
  private final ByteArrayReader entries = new ByteArrayReader();
  private final LengthPrefixedEntries sorter = new LengthPrefixedEntries();

  /** The converted entries of the current state and key group: (key, value) length-prefixed. */
  private final ByteArrayWriter section = new ByteArrayWriter(64 * 1024);

  private int sectionCount;
  private ByteBuffer keyBuffer = ByteBuffer.allocateDirect(256);
  private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private String location;
  private Output output;
  private int keyGroup;

  RocksDbCanonicalImport(Target target) {
    this.target = target;
  }

  /** Sets the file read next, for messages. */
  RocksDbCanonicalImport file(String location) throws StateRestoreException {
    writeSection();
    this.location = location;
    return this;
  }

  @Override
  public void beginState(int keyGroup, String name, StateKind kind) throws StateRestoreException {
    writeSection();
    Output out = outputs.get(name);
    if (out == null) {
      out = new Output(target.restoredColumn(name, kind));
      outputs.put(name, out);
    }
    if (out.column.kind != kind) {
      throw new StateRestoreException(
          "keyed state file "
              + location
              + " holds state '"
              + name
              + "' as "
              + kind
              + " state, but it exists as "
              + out.column.kind
              + " state");
    }
    this.output = out;
    this.keyGroup = keyGroup;
  }

  @Override
  public void entry(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength)
      throws StateRestoreException {
    ByteArrayWriter k = key;
    k.reset();
    RocksDbKeyLayout.writeKey(k, keyGroup, bytes, keyOffset, keyLength);
    switch (output.column.kind) {
      case VALUE, REDUCING -> add(bytes, valueOffset, valueLength);
      case LIST -> {
        CanonicalSnapshotFormat.checkValue(StateKind.LIST, bytes, valueOffset, valueLength, in);
        in.wrap(bytes, valueOffset, valueLength);
        in.readVarInt(); // the count: RocksDB's list value is the elements alone
        add(bytes, in.position(), in.remaining());
      }
      case MAP -> {
        int count =
            CanonicalSnapshotFormat.checkValue(StateKind.MAP, bytes, valueOffset, valueLength, in);
        in.wrap(bytes, valueOffset, valueLength);
        in.readVarInt();
        int prefixLength = k.position();
        for (int i = 0; i < count; i++) {
          int userKeyLength = in.readVarInt();
          k.position(prefixLength);
          k.writeBytes(bytes, in.position(), userKeyLength);
          in.skip(userKeyLength);
          int length = in.readVarInt();
          add(bytes, in.position(), length);
          in.skip(length);
        }
      }
    }
  }

  /** Appends the current key and a value to the section. */
  private void add(byte[] bytes, int offset, int length) {
    section.writeVarInt(key.position());
    section.writeBytes(key.array(), 0, key.position());
    section.writeVarInt(length);
    section.writeBytes(bytes, offset, length);
    sectionCount++;
  }

  /** Sorts the section's entries by RocksDB key and appends them to the state's table file. */
  private void writeSection() throws StateRestoreException {
    if (sectionCount == 0) {
      return;
    }
    Output out = output;
    int count = sectionCount;
    sectionCount = 0;
    try {
      sorter.sort(section, 0, count);
      if (out.writer != null && keyGroup <= out.lastKeyGroup) {
        finishFile(out); // this key group was written for the state already: a later file
      }
      if (out.writer == null) {
        Path file = target.newTableFile();
        out.writer = new SstFileWriter(envOptions, target.tableOptions());
        out.writer.open(file.toString());
        out.files.add(file);
      }
      out.lastKeyGroup = keyGroup;
      ByteArrayReader r = entries.wrap(section.array(), 0, section.position());
      byte[] bytes = section.array();
      for (int i = 0; i < count; i++) {
        int keyLength = r.readVarInt();
        int keyStart = r.position();
        r.skip(keyLength);
        int valueLength = r.readVarInt();
        int valueStart = r.position();
        r.skip(valueLength);
        out.writer.put(
            keyBuffer = fill(keyBuffer, bytes, keyStart, keyLength),
            valueBuffer = fill(valueBuffer, bytes, valueStart, valueLength));
      }
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot convert keyed state file "
              + location
              + " into RocksDB (state '"
              + out.column.name
              + "', key group "
              + keyGroup
              + "): "
              + e.getMessage(),
          e);
    } catch (MalformedDataException e) {
      throw new StateRestoreException(
          "keyed state file " + location + " is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new StateRestoreException(
          "cannot create a table file to restore keyed state file " + location, e);
    } finally {
      section.reset();
    }
  }

  /** {@code buffer} (or a larger one) holding exactly the given bytes, ready to be read. */
  private static ByteBuffer fill(ByteBuffer buffer, byte[] bytes, int offset, int length) {
    if (buffer.capacity() < length) {
      buffer = ByteBuffer.allocateDirect(Math.max(length, 2 * buffer.capacity()));
    }
    buffer.clear();
    buffer.put(bytes, offset, length);
    buffer.flip();
    return buffer;
  }

  private static void finishFile(Output out) throws RocksDBException {
    try {
      out.writer.finish();
    } finally {
      out.writer.close();
      out.writer = null;
    }
  }

  /** Finishes the table files and has RocksDB ingest them: the restored state is in then. */
  void finish() throws StateRestoreException {
    writeSection();
    for (Output out : outputs.values()) {
      try {
        if (out.writer != null) {
          finishFile(out);
        }
        if (!out.files.isEmpty()) {
          target.ingest(out.column, out.files);
        }
      } catch (RocksDBException e) {
        throw new StateRestoreException(
            "cannot ingest the restored state '"
                + out.column.name
                + "' into RocksDB: "
                + e.getMessage(),
            e);
      }
    }
  }

  /** Closes what is open and deletes table files that were not ingested. */
  @Override
  public void close() throws IOException {
    for (Output out : outputs.values()) {
      if (out.writer != null) {
        out.writer.close();
        out.writer = null;
      }
      for (Path file : out.files) {
        Files.deleteIfExists(file);
      }
    }
    envOptions.close();
  }
}
