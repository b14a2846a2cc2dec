package dev.weir.state;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.codec.MalformedDataException;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.storage.CheckpointStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.StringAppendOperator;

/**
 * The asynchronous part of a RocksDB savepoint: opens the native checkpoint taken by the
 * synchronous part read-only, converts it into one {@link CanonicalSnapshotFormat} file, uploads
 * that and deletes the checkpoint directory. It has native options of its own, so it does not
 * depend on the backend staying open. Used by one upload thread, or by whoever discards it.
 */
final class RocksDbCanonicalSnapshot implements KeyedStateBackend.KeyedSnapshot {
  private final Path dir;
  private final Path localFile;
  private final KeyGroupRange keyGroupRange;
  private final int maxParallelism;
  private final CheckpointStorage storage;
  private final String path;
  private final AtomicBoolean released = new AtomicBoolean();

  RocksDbCanonicalSnapshot(
      Path dir,
      Path localFile,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      CheckpointStorage storage,
      String pathPrefix) {
    this.dir = dir;
    this.localFile = localFile;
    this.keyGroupRange = keyGroupRange;
    this.maxParallelism = maxParallelism;
    this.storage = storage;
    this.path = CheckpointStorage.join(pathPrefix, CanonicalSnapshotFormat.FILE_NAME);
  }

  @Override
  public List<KeyedStateHandle> upload() throws Exception {
    if (released.getAndSet(true)) {
      throw new IllegalStateException("savepoint " + dir + " was already uploaded or discarded");
    }
    try {
      writeCanonicalFile();
      StateFile file = StateFileTransfer.upload(storage, path, localFile);
      return List.of(
          KeyedStateHandle.newBuilder()
              .setKeyGroupStart(keyGroupRange.start())
              .setKeyGroupEnd(keyGroupRange.end())
              .addFiles(file)
              .setBackend(CanonicalSnapshotFormat.BACKEND_ID)
              .build());
    } finally {
      WorkDirectory.deleteRecursively(dir);
      Files.deleteIfExists(localFile);
    }
  }

  private void writeCanonicalFile() throws Exception {
    List<byte[]> names = RocksDbKeyedStateBackend.listColumns(dir);
    List<ColumnFamilyHandle> handles = new ArrayList<>(names.size());
    List<ColumnSource> sources = new ArrayList<>();
    RocksDB db = null;
    try (StringAppendOperator listMerge = new StringAppendOperator("");
        ColumnFamilyOptions columnOptions = new ColumnFamilyOptions().setMergeOperator(listMerge);
        DBOptions dbOptions = new DBOptions().setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
        ReadOptions readOptions = new ReadOptions().setFillCache(false)) {
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(names.size());
      for (byte[] name : names) {
        descriptors.add(new ColumnFamilyDescriptor(name, columnOptions));
      }
      try {
        db = RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles);
        ColumnFamilyHandle meta = RocksDbKeyedStateBackend.metaColumn(names, handles);
        for (int i = 0; i < names.size(); i++) {
          String stateName = RocksDbKeyedStateBackend.stateName(names.get(i));
          if (stateName != null) {
            StateKind kind = RocksDbKeyedStateBackend.readKind(db, meta, stateName, dir.toString());
            sources.add(
                new ColumnSource(
                    stateName,
                    kind,
                    db.newIterator(handles.get(i), readOptions),
                    keyGroupRange.start()));
          }
        }
        new KeyGroupFileWriter(KeyGroupFileFormat.CANONICAL, maxParallelism, keyGroupRange, null)
            .write(sources, localFile);
        for (ColumnSource source : sources) {
          source.iterator.status();
        }
      } finally {
        for (ColumnSource source : sources) {
          source.iterator.close();
        }
        for (ColumnFamilyHandle handle : handles) {
          handle.close();
        }
        if (db != null) {
          db.close();
        }
      }
    }
  }

  @Override
  public void discard() {
    if (!released.getAndSet(true)) {
      WorkDirectory.deleteRecursively(dir);
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
    private boolean positioned;

    ColumnSource(String name, StateKind kind, RocksIterator iterator, int firstKeyGroup) {
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
      int keyGroup = firstKeyGroup + keyGroupIndex;
      RocksIterator it = iterator;
      if (!positioned) {
        it.seek(RocksDbKeyedStateBackend.keyGroupPrefix(keyGroup));
        positioned = true;
      }
      int entries = 0;
      byte[] mapKey = null; // the key whose map entries are being collected
      int mapKeyEnd = 0;
      int mapCount = 0;
      for (; it.isValid(); it.next()) {
        byte[] key = it.key();
        int group = RocksDbKeyedStateBackend.keyGroupOf(key);
        if (group < keyGroup) {
          continue; // not in this backend's range (never written there, but harmless)
        }
        if (group > keyGroup) {
          break;
        }
        reader.wrap(key, 2, key.length - 2);
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
      reader.wrap(rocksKey, 2, keyEnd - 2);
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
