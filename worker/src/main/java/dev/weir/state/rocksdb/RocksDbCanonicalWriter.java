package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.codec.MalformedDataException;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKind;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupFileWriter;
import dev.weir.state.format.KeyGroupStateSource;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Converts RocksDB column families, read in key order through a snapshot, into one {@link
 * CanonicalSnapshotFormat} file (see {@link RocksDbFullSnapshot}). Stateless.
 */
final class RocksDbCanonicalWriter {
  private RocksDbCanonicalWriter() {}

  /** A state's column family to convert. */
  record Column(String name, StateKind kind, ColumnFamilyHandle handle) {}

  /**
   * Writes (to {@code out}, left open) the {@link CanonicalSnapshotFormat} file of {@code columns}
   * of {@code db} as {@code readOptions} see them (a RocksDB snapshot, for a live database).
   *
   * @param cancelled checked before every key group; true stops the conversion with a {@link
   *     java.util.concurrent.CancellationException}
   */
  static void writeCanonical(
      RocksDB db,
      List<Column> columns,
      ReadOptions readOptions,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      OutputStream out,
      BooleanSupplier cancelled)
      throws Exception {
    List<ColumnSource> sources = new ArrayList<>(columns.size());
    try {
      for (Column column : columns) {
        sources.add(
            new ColumnSource(
                column.name(),
                column.kind(),
                db.newIterator(column.handle(), readOptions),
                keyGroupRange.start(),
                cancelled));
      }
      new KeyGroupFileWriter(KeyGroupFileFormat.CANONICAL, maxParallelism, keyGroupRange, null)
          .write(sources, out);
      for (ColumnSource source : sources) {
        source.iterator.status();
      }
    } finally {
      for (ColumnSource source : sources) {
        source.iterator.close();
      }
    }
  }

  /**
   * One column family read in key order, key group by key group, turned into canonical entries: the
   * RocksDB key {@code [keyGroup:2][keyLength:varint][key][userKey]} gives the key (and user key);
   * a list value gets its element count in front; the entries of one key of a map state (adjacent
   * in RocksDB, ordered by user key bytes) become one map value.
   */
  private static final class ColumnSource implements KeyGroupStateSource {
    private final String name;
    private final StateKind kind;
    private final RocksIterator iterator;
    private final int firstKeyGroup;
    private final ByteArrayReader reader = new ByteArrayReader();
    private final ByteArrayWriter pairs = new ByteArrayWriter(1024);
    private final BooleanSupplier cancelled;
    private boolean positioned;

    ColumnSource(
        String name,
        StateKind kind,
        RocksIterator iterator,
        int firstKeyGroup,
        BooleanSupplier cancelled) {
      this.cancelled = cancelled;
      this.name = name;
      this.firstKeyGroup = firstKeyGroup;
      this.kind = kind;
      this.iterator = iterator;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public StateKind kind() {
      return kind;
    }

    @Override
    public int writeKeyGroup(
        int keyGroupIndex, ByteArrayWriter out, ByteArrayWriter scratch, Codec<Object> keyCodec) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException(
            "the snapshot was cancelled or the state backend closed during it");
      }
      int keyGroup = firstKeyGroup + keyGroupIndex;
      RocksIterator it = iterator;
      if (!positioned) {
        it.seek(RocksDbKeyLayout.keyGroupPrefix(keyGroup));
        positioned = true;
      }
      int entries = 0;
      byte[] mapKey = null; // the key whose map entries are being collected
      int mapKeyEnd = 0;
      int mapCount = 0;
      for (; it.isValid(); it.next()) {
        byte[] key = it.key();
        int group = RocksDbKeyLayout.keyGroupOf(key);
        if (group < keyGroup) {
          continue; // not in this backend's range (never written there, but harmless)
        }
        if (group > keyGroup) {
          break;
        }
        reader.wrap(
            key, RocksDbKeyLayout.KEY_GROUP_BYTES, key.length - RocksDbKeyLayout.KEY_GROUP_BYTES);
        int keyLength = reader.readVarInt();
        int keyStart = reader.position();
        int keyEnd = keyStart + keyLength;
        if (keyLength < 0 || keyEnd > key.length) {
          throw new MalformedDataException(
              "RocksDB key of state '" + name + "' has key length " + keyLength);
        }
        byte[] value = it.value();
        switch (kind) {
          case VALUE, REDUCING -> {
            writeEntry(out, key, keyStart, keyLength, null, -1, value);
            entries++;
          }
          case LIST -> {
            int count = countElements(value);
            if (count > 0) { // empty lists are never written
              writeEntry(out, key, keyStart, keyLength, null, count, value);
              entries++;
            }
          }
          case MAP -> {
            if (mapKey != null && !Arrays.equals(mapKey, 0, mapKeyEnd, key, 0, keyEnd)) {
              writeMap(out, mapKey, mapKeyEnd, mapCount);
              entries++;
              mapKey = null;
            }
            if (mapKey == null) {
              mapKey = key;
              mapKeyEnd = keyEnd;
              mapCount = 0;
              pairs.reset();
            }
            pairs.writeVarInt(key.length - keyEnd);
            pairs.writeBytes(key, keyEnd, key.length - keyEnd);
            pairs.writeVarInt(value.length);
            pairs.writeBytes(value, 0, value.length);
            mapCount++;
          }
        }
      }
      if (mapKey != null) {
        writeMap(out, mapKey, mapKeyEnd, mapCount);
        entries++;
      }
      return entries;
    }

    private void writeMap(ByteArrayWriter out, byte[] rocksKey, int keyEnd, int count) {
      reader.wrap(
          rocksKey, RocksDbKeyLayout.KEY_GROUP_BYTES, keyEnd - RocksDbKeyLayout.KEY_GROUP_BYTES);
      int keyLength = reader.readVarInt();
      writeEntry(out, rocksKey, reader.position(), keyLength, pairs, count, null);
    }

    /** Key, then a value: {@code count} (unless -1) followed by {@code pairs} or {@code value}. */
    private static void writeEntry(
        ByteArrayWriter out,
        byte[] key,
        int keyStart,
        int keyLength,
        ByteArrayWriter pairs,
        int count,
        byte[] value) {
      out.writeVarInt(keyLength);
      out.writeBytes(key, keyStart, keyLength);
      int bodyLength = pairs != null ? pairs.position() : value.length;
      out.writeVarInt(bodyLength + (count < 0 ? 0 : varIntSize(count)));
      if (count >= 0) {
        out.writeVarInt(count);
      }
      if (pairs != null) {
        out.writeBytes(pairs.array(), 0, pairs.position());
      } else {
        out.writeBytes(value, 0, value.length);
      }
    }

    /** Elements of a RocksDB list value: varint length + bytes, concatenated. */
    private int countElements(byte[] value) {
      reader.wrap(value, 0, value.length);
      int count = 0;
      while (reader.remaining() > 0) {
        int length = reader.readVarInt();
        if (length < 0 || length > reader.remaining()) {
          throw new MalformedDataException(
              "list state '" + name + "': element length " + length + " exceeds the value");
        }
        reader.skip(length);
        count++;
      }
      return count;
    }
  }

  private static int varIntSize(int value) {
    int size = 1;
    while ((value & ~0x7f) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }
}
