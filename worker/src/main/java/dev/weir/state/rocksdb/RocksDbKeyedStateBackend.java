package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.api.ListState;
import dev.weir.api.MapState;
import dev.weir.api.ReducingState;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroupRangeAssignment;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.SnapshotType;
import dev.weir.state.StateAccessException;
import dev.weir.state.StateBackendKind;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import dev.weir.state.WorkDirectory;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupFileReader;
import dev.weir.state.format.KeyedStateHandles;
import dev.weir.state.format.StateFileTransfer;
import dev.weir.storage.CheckpointStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Keyed state in an embedded RocksDB database in the backend's work directory. Everything here
 * belongs to the task thread, except the files of a native checkpoint, which an upload thread reads
 * and deletes ({@link RocksDbSnapshot}).
 *
 * <p>Layout (version {@value #LAYOUT_VERSION}):
 *
 * <ul>
 *   <li>one column family per state, named {@code state/<name>}; the default column family holds
 *       one metadata entry per state: UTF-8 name → {@code [layout version, kind code]};
 *   <li>key: 2-byte big-endian key group, the serialized key's length as a varint, the serialized
 *       key (key codec), and for map state the serialized user key. The length makes keys
 *       self-delimiting, so the entries of one key of a map state are exactly the RocksDB keys with
 *       its prefix whatever the key codec writes; the key group first lets a restore clip or copy
 *       whole key group ranges;
 *   <li>value: the state's codec; for list state the elements, each as varint length + bytes,
 *       concatenated. {@link ListState#add} is a RocksDB merge with a string-append operator with
 *       an empty delimiter, so appending never reads the list.
 * </ul>
 *
 * <p>Writes skip the write-ahead log: checkpoints provide durability, and a failed task restores
 * from the last one. A snapshot is a native RocksDB checkpoint (flush, then hard links), uploaded
 * in full or, with incremental checkpoints, uploading only table files that the last checkpoint
 * confirmed complete (or the one restored from) does not have ({@link RocksDbSharedFiles}); restore
 * opens the downloaded checkpoint that covers most of this backend's key groups in place, deletes
 * the key groups outside the range, and copies the matching key groups of any other snapshot in.
 *
 * <p>Value and reducing states go through a {@link RocksDbValueCache} of deserialized values
 * (unless its capacity is 0): reads of cached keys and all writes stay in the cache, evicted dirty
 * entries are written back, and the synchronous part of {@link #snapshot} writes every dirty entry
 * to RocksDB before the native checkpoint, so the checkpoint holds exactly the state as of the
 * call. List and map states bypass the cache (their values are merged or spread over many RocksDB
 * entries), so the cache and RocksDB never disagree about them. A restore starts with an empty
 * cache.
 *
 * <p>The hot path allocates nothing of its own: the current key is serialized once per {@link
 * #setCurrentKey} into a reused buffer, values are encoded into and read from reused arrays; only
 * caching a key not yet cached allocates (its entry and a copy of its key).
 */
public final class RocksDbKeyedStateBackend implements KeyedStateBackend {
  static final byte LAYOUT_VERSION = 1;
  private static final String COLUMN_PREFIX = "state/";
  static final int COPY_BATCH_BYTES = 4 << 20;

  static {
    RocksDB.loadLibrary();
  }

  private final String description;
  private final KeyGroupRange keyGroupRange;
  private final int maxParallelism;
  private final Codec<Object> keyCodec;
  private final WorkDirectory workDirectory;

  /** Null when the capacity is 0: every access goes to RocksDB. */
  private final RocksDbValueCache cache;

  /** Null for full checkpoints; see {@link RocksDbSharedFiles}. */
  private final RocksDbSharedFiles sharedFiles;

  private final StringAppendOperator listMerge = new StringAppendOperator("");
  // Otherwise RocksDB's defaults. Tried and dropped: no compression (every checkpoint uploads about
  // three times the bytes) together with whole-key bloom filters; the word count without the cache
  // used about a quarter more CPU per record with them.
  private final ColumnFamilyOptions columnOptions =
      new ColumnFamilyOptions().setMergeOperator(listMerge);
  private final DBOptions dbOptions =
      new DBOptions()
          .setCreateIfMissing(true)
          .setCreateMissingColumnFamilies(true)
          .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
          .setKeepLogFileNum(2)
          .setStatsDumpPeriodSec(0)
          .setAvoidFlushDuringShutdown(true);
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private final ReadOptions readOptions = new ReadOptions();

  private Path dbPath;
  private RocksDB db;
  private ColumnFamilyHandle metaColumn;
  private Checkpoint checkpoint;
  private final Map<String, RocksDbColumn> columns = new LinkedHashMap<>();
  private boolean restored;
  private boolean closed;

  // Full snapshots read the live database from upload threads: they hold the read lock while they
  // do, close() takes the write lock (after setting closing, which makes them stop early).
  private final ReentrantReadWriteLock liveReads = new ReentrantReadWriteLock();
  private volatile boolean closing;
  private final RocksDbFullSnapshot.Live live =
      new RocksDbFullSnapshot.Live() {
        @Override
        public boolean beginRead() {
          liveReads.readLock().lock();
          if (closing) {
            liveReads.readLock().unlock();
            return false;
          }
          return true;
        }

        @Override
        public void endRead() {
          liveReads.readLock().unlock();
        }

        @Override
        public boolean closing() {
          return closing;
        }
      };

  // Reused buffers of the hot path (task thread only).
  private final ByteArrayWriter keyScratch = new ByteArrayWriter(64);
  private final ByteArrayWriter currentKey = new ByteArrayWriter(64);
  private final ByteArrayWriter compositeKey = new ByteArrayWriter(64);
  private final ByteArrayWriter valueBytes = new ByteArrayWriter(256);
  private final ByteArrayWriter elementScratch = new ByteArrayWriter(64);
  private final ByteArrayReader valueReader = new ByteArrayReader();
  private byte[] readBuffer = new byte[256];

  /** {@link #currentKey} prepared for cache lookups; maintained only with a cache. */
  private final RocksDbValueCache.Key currentCacheKey = new RocksDbValueCache.Key();

  /**
   * The cache entry of the current key found or inserted last (of the state in its column), so that
   * the update after a read does not look the key up again; null after {@link #setCurrentKey}.
   */
  private RocksDbValueCache.Entry currentEntry;

  // Writing the cache back at a snapshot (task thread).
  private final RocksDbWriteBatchBuilder batchBuilder = new RocksDbWriteBatchBuilder();
  private RocksDbValueCache.Entry[] dirtyEntries = new RocksDbValueCache.Entry[0];

  /**
   * Opens an empty database in {@code workDir/db-N}, with a cache of {@link
   * RocksDbKeyedStateBackendFactory#DEFAULT_CACHE_ENTRIES} entries.
   *
   * @param keyCodec encodes keys into RocksDB keys; equal keys MUST give equal bytes
   * @param workDir a local directory used exclusively by this backend; emptied by {@link #close()}
   */
  public RocksDbKeyedStateBackend(
      String operatorUid,
      int subtaskIndex,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      Codec<?> keyCodec,
      Path workDir)
      throws IOException, RocksDBException {
    this(
        operatorUid,
        subtaskIndex,
        keyGroupRange,
        maxParallelism,
        keyCodec,
        workDir,
        RocksDbKeyedStateBackendFactory.DEFAULT_CACHE_ENTRIES,
        null);
  }

  /**
   * Opens an empty database in {@code workDir/db-N}.
   *
   * @param keyCodec encodes keys into RocksDB keys; equal keys MUST give equal bytes
   * @param workDir a local directory used exclusively by this backend; emptied by {@link #close()}
   * @param cacheEntries how many keys of value and reducing states the {@link RocksDbValueCache}
   *     holds; 0 for no cache
   * @param sharedDirectory null for full checkpoints; for incremental ones, the storage directory
   *     of the job's shared files ({@code <jobId>/shared/}), under which this backend uses {@code
   *     <operatorUid>/<subtaskIndex>/}
   */
  @SuppressWarnings("unchecked")
  public RocksDbKeyedStateBackend(
      String operatorUid,
      int subtaskIndex,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      Codec<?> keyCodec,
      Path workDir,
      int cacheEntries,
      String sharedDirectory)
      throws IOException, RocksDBException {
    KeyGroupRangeAssignment.checkParallelism(maxParallelism, 1);
    if (keyGroupRange.isEmpty() || keyGroupRange.end() >= maxParallelism) {
      throw new IllegalArgumentException(
          "key group range " + keyGroupRange + " not within [0, " + maxParallelism + ")");
    }
    this.description = operatorUid + "/" + subtaskIndex;
    this.keyGroupRange = keyGroupRange;
    this.maxParallelism = maxParallelism;
    this.keyCodec = (Codec<Object>) Objects.requireNonNull(keyCodec, "keyCodec");
    if (cacheEntries < 0) {
      closeOptions();
      throw new IllegalArgumentException("cacheEntries must not be negative: " + cacheEntries);
    }
    this.cache = cacheEntries == 0 ? null : new RocksDbValueCache(cacheEntries, this::writeEvicted);
    this.sharedFiles =
        sharedDirectory == null
            ? null
            : new RocksDbSharedFiles(
                CheckpointStorage.join(
                    sharedDirectory, operatorUid, Integer.toString(subtaskIndex)));
    WorkDirectory directory = null;
    try {
      directory = new WorkDirectory(workDir);
    } finally {
      if (directory == null) {
        closeOptions(); // the option objects above are native
      }
    }
    this.workDirectory = directory;
    try {
      openDb(workDirectory.freshPath("db"), null);
    } catch (RuntimeException | RocksDBException | IOException e) {
      close();
      throw e;
    }
  }

  @Override
  public KeyGroupRange keyGroupRange() {
    return keyGroupRange;
  }

  @Override
  public void setCurrentKey(Object key, int keyGroup) {
    if (!keyGroupRange.contains(keyGroup)) {
      throw new IllegalArgumentException(
          "key group " + keyGroup + " is not in " + keyGroupRange + " of " + description);
    }
    ByteArrayWriter scratch = keyScratch;
    scratch.reset();
    keyCodec.write(Objects.requireNonNull(key, "key"), scratch);
    ByteArrayWriter out = currentKey;
    out.reset();
    out.writeByte(keyGroup >>> 8);
    out.writeByte(keyGroup);
    out.writeVarInt(scratch.position());
    out.writeBytes(scratch.array(), 0, scratch.position());
    if (cache != null) {
      currentCacheKey.set(out.array(), out.position());
      currentEntry = null;
    }
  }

  // ---- primitives for the state objects (task thread)

  /**
   * The current key's value of a value or reducing state, through the cache: a key read from
   * RocksDB is cached, absent or not.
   *
   * @return the value, or null when the key has none
   */
  @SuppressWarnings("unchecked")
  <T> T cachedValue(RocksDbColumn column, Codec<T> codec) {
    int length = currentKeyLength();
    byte[] key = currentKey.array();
    if (cache == null) {
      return read(column, key, length, codec);
    }
    RocksDbValueCache.Entry entry = currentEntryOf(column);
    if (entry != null) {
      return (T) entry.value;
    }
    T value = read(column, key, length, codec);
    currentEntry = cache.insert(column, currentCacheKey, value, codec, false);
    return value;
  }

  /**
   * Sets the current key's value of a value or reducing state, through the cache: RocksDB sees it
   * when the entry is evicted or at the next snapshot.
   *
   * @param value the new value, null to remove the key's value
   */
  <T> void setCachedValue(RocksDbColumn column, Codec<T> codec, T value) {
    int length = currentKeyLength();
    byte[] key = currentKey.array();
    if (cache == null) {
      if (value == null) {
        delete(column, key, length);
      } else {
        write(column, key, length, codec, value);
      }
      return;
    }
    RocksDbValueCache.Entry entry = currentEntryOf(column);
    if (entry != null) {
      cache.update(entry, value, codec);
    } else {
      currentEntry = cache.insert(column, currentCacheKey, value, codec, true);
    }
  }

  /** The cache entry of the current key in a state, or null when it is not cached. */
  private RocksDbValueCache.Entry currentEntryOf(RocksDbColumn column) {
    RocksDbValueCache.Entry entry = currentEntry;
    if (entry != null && entry.column == column && entry.cached) {
      return entry;
    }
    entry = cache.find(column, currentCacheKey);
    if (entry != null) {
      currentEntry = entry;
    }
    return entry;
  }

  /** Writes an entry the cache evicts (dirty ones only) straight to RocksDB. */
  private void writeEvicted(RocksDbValueCache.Entry entry) {
    if (entry.value == null) {
      delete(entry.column, entry.key, entry.key.length);
    } else {
      write(entry.column, entry.key, entry.key.length, entry.codec, entry.value);
    }
  }

  /**
   * Writes every dirty cache entry to RocksDB, in batches, and then marks them clean. If a write
   * fails, every entry stays dirty (those already written are harmlessly written again later).
   *
   * <p>The entries go in key order: RocksDB's memtable skip list remembers where its last insert
   * went, so ascending inserts are several times faster than random ones, and the flush that
   * follows walks memory in order. Sorting costs less than it saves.
   */
  private void writeBackCache() throws RocksDBException {
    if (cache == null || cache.dirtyCount() == 0) {
      return;
    }
    int n = cache.dirtyCount();
    if (dirtyEntries.length < n) {
      dirtyEntries = new RocksDbValueCache.Entry[n];
    }
    RocksDbValueCache.Entry[] dirty = dirtyEntries;
    int[] collected = {0};
    cache.forEachDirty(entry -> dirty[collected[0]++] = entry);
    try {
      Arrays.sort(dirty, 0, n, RocksDbValueCache.KEY_ORDER);
      batchBuilder.reset();
      for (int i = 0; i < n; i++) {
        RocksDbValueCache.Entry entry = dirty[i];
        if (entry.value == null) {
          batchBuilder.delete(entry.column.columnFamilyId, entry.key, entry.key.length);
        } else {
          ByteArrayWriter out = valueBuffer();
          entry.codec.write(entry.value, out);
          batchBuilder.put(
              entry.column.columnFamilyId,
              entry.key,
              entry.key.length,
              out.array(),
              out.position());
        }
        if (batchBuilder.sizeBytes() >= COPY_BATCH_BYTES) {
          writeBatch(); // bounds the memory a batch takes
        }
      }
      writeBatch();
    } finally {
      Arrays.fill(dirty, 0, n, null); // entries evicted later must not stay reachable from here
    }
    cache.renewDirty();
    cache.markAllClean();
  }

  /** Writes and empties {@link #batchBuilder}. */
  private void writeBatch() throws RocksDBException {
    if (batchBuilder.count() > 0) {
      try (WriteBatch batch = new WriteBatch(batchBuilder.serialized())) {
        db.write(writeOptions, batch);
      }
      batchBuilder.reset();
    }
  }

  /** Length of the current key's bytes in {@link #currentKeyBytes()}. */
  int currentKeyLength() {
    int length = currentKey.position();
    if (length == 0) {
      throw new IllegalStateException("keyed state used before setCurrentKey");
    }
    return length;
  }

  byte[] currentKeyBytes() {
    return currentKey.array();
  }

  /** The current key followed by a serialized user key; bytes in {@link #compositeKeyBytes()}. */
  <K> int compositeKey(Codec<K> userKeyCodec, K userKey) {
    int length = currentKeyLength();
    ByteArrayWriter out = compositeKey;
    out.reset();
    out.writeBytes(currentKey.array(), 0, length);
    userKeyCodec.write(Objects.requireNonNull(userKey, "MapState key"), out);
    return out.position();
  }

  byte[] compositeKeyBytes() {
    return compositeKey.array();
  }

  /** A buffer for encoding a value; valid until the next write through this backend. */
  ByteArrayWriter valueBuffer() {
    valueBytes.reset();
    return valueBytes;
  }

  /** A buffer for encoding one list element before its length is known. */
  ByteArrayWriter elementBuffer() {
    elementScratch.reset();
    return elementScratch;
  }

  /**
   * Reads the value of a key into {@link #readBuffer()}.
   *
   * @return its length, or -1 when the key is absent
   */
  int readRaw(RocksDbColumn column, byte[] key, int keyLength) {
    try {
      byte[] buffer = readBuffer;
      int n = db.get(column.handle, readOptions, key, 0, keyLength, buffer, 0, buffer.length);
      if (n > buffer.length) {
        // only the first buffer.length bytes were copied: grow and read again
        buffer = new byte[Math.max(n, buffer.length * 2)];
        readBuffer = buffer;
        n = db.get(column.handle, readOptions, key, 0, keyLength, buffer, 0, buffer.length);
      }
      return n == RocksDB.NOT_FOUND ? -1 : n;
    } catch (RocksDBException e) {
      throw failure("read", column, e);
    }
  }

  byte[] readBuffer() {
    return readBuffer;
  }

  /** Reads and decodes a value; null when absent. */
  <T> T read(RocksDbColumn column, byte[] key, int keyLength, Codec<T> codec) {
    int n = readRaw(column, key, keyLength);
    return n < 0 ? null : codec.read(valueReader.wrap(readBuffer, 0, n));
  }

  <T> void write(RocksDbColumn column, byte[] key, int keyLength, Codec<T> codec, T value) {
    ByteArrayWriter out = valueBuffer();
    codec.write(value, out);
    put(column, key, keyLength, out);
  }

  void put(RocksDbColumn column, byte[] key, int keyLength, ByteArrayWriter value) {
    try {
      db.put(column.handle, writeOptions, key, 0, keyLength, value.array(), 0, value.position());
    } catch (RocksDBException e) {
      throw failure("write", column, e);
    }
  }

  void merge(RocksDbColumn column, byte[] key, int keyLength, ByteArrayWriter value) {
    try {
      db.merge(column.handle, writeOptions, key, 0, keyLength, value.array(), 0, value.position());
    } catch (RocksDBException e) {
      throw failure("write", column, e);
    }
  }

  void delete(RocksDbColumn column, byte[] key, int keyLength) {
    try {
      db.delete(column.handle, writeOptions, key, 0, keyLength);
    } catch (RocksDBException e) {
      throw failure("delete", column, e);
    }
  }

  /** Receives the entries under a key prefix. */
  interface EntryVisitor {
    /**
     * @return false to stop
     */
    boolean visit(byte[] key, byte[] value);
  }

  /** Visits the entries whose key starts with the current key, in key order. */
  void forEachOfCurrentKey(RocksDbColumn column, EntryVisitor visitor) {
    byte[] prefix = Arrays.copyOf(currentKey.array(), currentKeyLength());
    try (RocksIterator it = db.newIterator(column.handle, readOptions)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (!startsWith(key, prefix) || !visitor.visit(key, it.value())) {
          break;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw failure("iterate", column, e);
    }
  }

  /** Deletes every entry whose key starts with the current key. */
  void deleteAllOfCurrentKey(RocksDbColumn column) {
    try (WriteBatch batch = new WriteBatch()) {
      RocksDBException[] failed = new RocksDBException[1];
      forEachOfCurrentKey(
          column,
          (key, value) -> {
            try {
              batch.delete(column.handle, key);
              return true;
            } catch (RocksDBException e) {
              failed[0] = e;
              return false;
            }
          });
      if (failed[0] != null) {
        throw failed[0];
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("delete", column, e);
    }
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private StateAccessException failure(String what, RocksDbColumn column, RocksDBException e) {
    return new StateAccessException(
        "RocksDB " + what + " of state '" + column.name + "' in " + description + " failed", e);
  }

  // ---- KeyedStateStore

  @Override
  public <T> ValueState<T> getState(StateDescriptor.Value<T> descriptor) {
    return new RocksDbValueState<>(this, column(descriptor), descriptor.codec());
  }

  @Override
  public <T> ListState<T> getListState(StateDescriptor.ListOf<T> descriptor) {
    return new RocksDbListState<>(this, column(descriptor), descriptor.codec());
  }

  @Override
  public <K, V> MapState<K, V> getMapState(StateDescriptor.MapOf<K, V> descriptor) {
    return new RocksDbMapState<>(
        this, column(descriptor), descriptor.keyCodec(), descriptor.valueCodec());
  }

  @Override
  public <T> ReducingState<T> getReducingState(StateDescriptor.Reducing<T> descriptor) {
    return new RocksDbReducingState<>(
        this, column(descriptor), descriptor.reducer(), descriptor.codec());
  }

  private RocksDbColumn column(StateDescriptor descriptor) {
    StateKind kind = StateKind.of(descriptor);
    RocksDbColumn column = columns.get(descriptor.name());
    if (column != null) {
      StateKind.requireSame(descriptor.name(), kind, column.kind);
      return column;
    }
    try {
      column = new RocksDbColumn(descriptor.name(), kind, createColumn(descriptor.name(), kind));
    } catch (RocksDBException e) {
      throw new StateAccessException(
          "cannot create the column family of state '" + descriptor.name() + "'", e);
    }
    columns.put(descriptor.name(), column);
    return column;
  }

  private ColumnFamilyHandle createColumn(String name, StateKind kind) throws RocksDBException {
    ColumnFamilyHandle handle =
        db.createColumnFamily(new ColumnFamilyDescriptor(columnName(name), columnOptions));
    db.put(
        metaColumn,
        writeOptions,
        name.getBytes(StandardCharsets.UTF_8),
        new byte[] {LAYOUT_VERSION, kind.code()});
    return handle;
  }

  private static byte[] columnName(String stateName) {
    return (COLUMN_PREFIX + stateName).getBytes(StandardCharsets.UTF_8);
  }

  /** The state name of a column family, or null for the default (metadata) column family. */
  static String stateName(byte[] columnName) {
    String name = new String(columnName, StandardCharsets.UTF_8);
    return name.startsWith(COLUMN_PREFIX) ? name.substring(COLUMN_PREFIX.length()) : null;
  }

  // ---- opening databases

  /**
   * Opens (creating when absent) the database at {@code path} as this backend's, with every column
   * family in it, and binds the registered states to their column families.
   *
   * @param location where the database came from, for messages; null for a fresh one
   */
  private void openDb(Path path, String location) throws RocksDBException, IOException {
    List<byte[]> names = listColumns(path);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(names.size());
    for (byte[] name : names) {
      descriptors.add(new ColumnFamilyDescriptor(name, columnOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>(names.size());
    db = RocksDB.open(dbOptions, path.toString(), descriptors, handles);
    dbPath = path;
    metaColumn = metaColumn(names, handles);
    for (int i = 0; i < names.size(); i++) {
      String stateName = stateName(names.get(i));
      if (stateName == null) {
        continue;
      }
      StateKind kind = readKind(db, metaColumn, stateName, location);
      RocksDbColumn column = columns.get(stateName);
      if (column == null) {
        columns.put(stateName, new RocksDbColumn(stateName, kind, handles.get(i)));
      } else {
        StateKind.requireSame(stateName, column.kind, kind);
        column.bind(handles.get(i));
      }
    }
    // states registered before a restore that the snapshot does not contain
    for (RocksDbColumn column : columns.values()) {
      if (column.handle == null) {
        column.bind(createColumn(column.name, column.kind));
      }
    }
    checkpoint = Checkpoint.create(db);
  }

  static List<byte[]> listColumns(Path path) throws RocksDBException {
    if (!Files.exists(path.resolve("CURRENT"))) {
      return List.of(RocksDB.DEFAULT_COLUMN_FAMILY);
    }
    try (Options options = new Options()) {
      return RocksDB.listColumnFamilies(options, path.toString());
    }
  }

  static ColumnFamilyHandle metaColumn(List<byte[]> names, List<ColumnFamilyHandle> handles) {
    for (int i = 0; i < names.size(); i++) {
      if (stateName(names.get(i)) == null) {
        return handles.get(i);
      }
    }
    throw new IllegalStateException("no default column family");
  }

  static StateKind readKind(RocksDB source, ColumnFamilyHandle meta, String name, String location)
      throws RocksDBException, StateRestoreException {
    byte[] value = source.get(meta, name.getBytes(StandardCharsets.UTF_8));
    if (value == null || value.length != 2) {
      throw new StateRestoreException(
          "RocksDB snapshot " + location + " has no metadata for state '" + name + "'");
    }
    if (value[0] != LAYOUT_VERSION) {
      throw new StateRestoreException(
          "RocksDB snapshot "
              + location
              + " has layout version "
              + value[0]
              + "; this Weir reads version "
              + LAYOUT_VERSION);
    }
    StateKind kind = StateKind.ofCode(value[1]);
    if (kind == null) {
      throw new StateRestoreException(
          "RocksDB snapshot " + location + " has unknown kind " + value[1] + " of '" + name + "'");
    }
    return kind;
  }

  private void closeDb() {
    if (checkpoint != null) {
      checkpoint.close();
      checkpoint = null;
    }
    for (RocksDbColumn column : columns.values()) {
      if (column.handle != null) {
        column.handle.close();
        column.bind(null);
      }
    }
    if (metaColumn != null) {
      metaColumn.close();
      metaColumn = null;
    }
    if (db != null) {
      db.close();
      db = null;
    }
  }

  // ---- snapshot and restore

  /** A checkpoint: see {@link #snapshot(long, SnapshotType, CheckpointStorage, String)}. */
  @Override
  public KeyedSnapshot snapshot(long checkpointId, CheckpointStorage storage, String pathPrefix)
      throws RocksDBException {
    return snapshot(checkpointId, SnapshotType.CHECKPOINT, storage, pathPrefix);
  }

  /**
   * The synchronous part writes the cache's dirty entries to RocksDB (the cached entries stay, now
   * clean). A savepoint, or a checkpoint without incremental checkpoints, then only takes a RocksDB
   * snapshot and the upload thread iterates it into one canonical file ({@link
   * RocksDbFullSnapshot}): no flush on the task thread, one file to upload. An incremental
   * checkpoint takes a native checkpoint (memtables flushed, table files hard-linked) and uploads
   * the table files not uploaded before ({@link RocksDbSnapshot}).
   */
  @Override
  public KeyedSnapshot snapshot(
      long checkpointId, SnapshotType type, CheckpointStorage storage, String pathPrefix)
      throws RocksDBException {
    writeBackCache();
    if (type == SnapshotType.SAVEPOINT || sharedFiles == null) {
      // full: a RocksDB snapshot now (no flush), iterated into the canonical format on upload
      List<RocksDbCanonicalWriter.Column> live = new ArrayList<>(columns.size());
      for (RocksDbColumn column : columns.values()) {
        live.add(new RocksDbCanonicalWriter.Column(column.name, column.kind, column.handle));
      }
      return new RocksDbFullSnapshot(
          this.live,
          db,
          db.getSnapshot(),
          live,
          workDirectory.freshPath("full-" + checkpointId),
          keyGroupRange,
          maxParallelism,
          storage,
          pathPrefix);
    }
    Path dir = workDirectory.freshPath("chk-" + checkpointId);
    checkpoint.createCheckpoint(dir.toString());
    return new RocksDbSnapshot(checkpointId, dir, keyGroupRange, storage, pathPrefix, sharedFiles);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    if (sharedFiles != null) {
      sharedFiles.completed(checkpointId);
    }
  }

  @Override
  public void restore(List<KeyedStateHandle> handles, CheckpointStorage storage) throws Exception {
    if (restored) {
      throw new IllegalStateException("restore called twice on " + description);
    }
    restored = true;
    List<KeyedStateHandle> relevant = new ArrayList<>();
    List<KeyedStateHandle> canonical = new ArrayList<>();
    for (KeyedStateHandle handle : handles) {
      if (!rangeOf(handle).intersect(keyGroupRange).isEmpty()) {
        if (KeyedStateHandles.requireReadable(handle, StateBackendKind.ROCKSDB, storage)) {
          canonical.add(handle);
        } else {
          relevant.add(handle);
        }
      }
    }
    if (!relevant.isEmpty()) {
      restoreNative(relevant, storage);
    }
    if (!canonical.isEmpty()) {
      restoreCanonical(canonical, storage);
    }
  }

  /**
   * Converts canonical savepoint files into this database: key groups of this backend's range only,
   * every state (registered or not) in its own column family, written as table files and ingested
   * ({@link RocksDbCanonicalImport}). Files of a local-directory storage are read in place.
   */
  private void restoreCanonical(List<KeyedStateHandle> handles, CheckpointStorage storage)
      throws IOException {
    if (cache != null) {
      cache.clear(); // nothing may be cached over the entries about to be written
    }
    List<KeyedStateHandle> ordered = new ArrayList<>(handles);
    ordered.sort(java.util.Comparator.comparingInt(KeyedStateHandle::getKeyGroupStart));
    KeyGroupFileReader reader =
        new KeyGroupFileReader(KeyGroupFileFormat.CANONICAL, maxParallelism, keyGroupRange);
    Path tables = Files.createDirectories(workDirectory.freshPath("import"));
    // LZ4 rather than the column families' Snappy: cheaper on blocks that do not compress (the
    // import thread's CPU in RescaleBench was ~15-25% lower in the runs measured); a compaction
    // rewrites such files with the column family's compression
    try (Options tableOptions =
            new Options(dbOptions, columnOptions)
                .setCompressionType(CompressionType.LZ4_COMPRESSION);
        RocksDbCanonicalImport importer =
            new RocksDbCanonicalImport(
                new RocksDbCanonicalImport.Target() {
                  private int files;

                  @Override
                  public RocksDbColumn restoredColumn(String name, StateKind kind)
                      throws StateRestoreException {
                    RocksDbColumn column = columns.get(name);
                    if (column == null) {
                      try {
                        column = new RocksDbColumn(name, kind, createColumn(name, kind));
                      } catch (RocksDBException e) {
                        throw new StateRestoreException(
                            "cannot create the column family of restored state '" + name + "'", e);
                      }
                      columns.put(name, column);
                    }
                    return column;
                  }

                  @Override
                  public Options tableOptions() {
                    return tableOptions;
                  }

                  @Override
                  public Path newTableFile() {
                    return tables.resolve(++files + ".sst");
                  }

                  @Override
                  public void ingest(RocksDbColumn column, List<Path> files)
                      throws RocksDBException {
                    try (IngestExternalFileOptions options =
                        new IngestExternalFileOptions().setMoveFiles(true)) {
                      for (Path file : files) { // one by one: they may overlap
                        db.ingestExternalFile(column.handle, List.of(file.toString()), options);
                      }
                    }
                  }
                })) {
      for (KeyedStateHandle handle : ordered) {
        for (StateFile file : handle.getFilesList()) {
          try (StateFileTransfer.LocalCopy local =
              StateFileTransfer.local(storage, file, workDirectory.freshPath("restore"))) {
            String location = storage.describe(file.getPath());
            reader.read(local.path(), location, importer.file(location));
          }
        }
      }
      importer.finish();
    } finally {
      WorkDirectory.deleteRecursively(tables);
    }
  }

  /** Restores native RocksDB snapshots; see the class comment. */
  private void restoreNative(List<KeyedStateHandle> relevant, CheckpointStorage storage)
      throws IOException {
    // The snapshot with most of our key groups is opened in place; the others are copied in.
    KeyedStateHandle base = relevant.get(0);
    for (KeyedStateHandle handle : relevant) {
      if (rangeOf(handle).intersect(keyGroupRange).size()
          > rangeOf(base).intersect(keyGroupRange).size()) {
        base = handle;
      }
    }
    Path baseDir = download(base, storage);
    Path emptyDb = dbPath;
    if (cache != null) {
      cache.clear(); // what was written before the restore belongs to the database replaced here
    }
    closeDb();
    WorkDirectory.deleteRecursively(emptyDb);
    String baseLocation = location(base, storage);
    try {
      openDb(baseDir, baseLocation);
      if (sharedFiles != null) {
        sharedFiles.restored(base); // its table files are the database's now
      }
      clipTo(rangeOf(base));
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot open RocksDB snapshot " + baseLocation + ": " + e.getMessage(), e);
    }
    for (KeyedStateHandle handle : relevant) {
      if (handle != base) {
        Path dir = download(handle, storage);
        try {
          copyFrom(dir, rangeOf(handle), location(handle, storage));
        } finally {
          WorkDirectory.deleteRecursively(dir);
        }
      }
    }
  }

  private static KeyGroupRange rangeOf(KeyedStateHandle handle) {
    return KeyGroupRange.of(handle.getKeyGroupStart(), handle.getKeyGroupEnd());
  }

  /** The storage "directory" of a handle's files, for messages. */
  private static String location(KeyedStateHandle handle, CheckpointStorage storage) {
    if (handle.getFilesCount() == 0) {
      return "(no files) of key groups " + rangeOf(handle);
    }
    String path = handle.getFiles(0).getPath();
    int slash = path.lastIndexOf('/');
    return storage.describe(slash < 0 ? "" : path.substring(0, slash));
  }

  /** Downloads and verifies every file of a handle into a fresh local directory. */
  private Path download(KeyedStateHandle handle, CheckpointStorage storage) throws IOException {
    if (handle.getFilesCount() == 0) {
      throw new StateRestoreException(
          "RocksDB keyed state handle of key groups " + rangeOf(handle) + " lists no files");
    }
    Path dir = Files.createDirectories(workDirectory.freshPath("restore"));
    try {
      for (StateFile file : handle.getFilesList()) {
        String name = StateFileTransfer.fileName(file.getPath(), storage);
        StateFileTransfer.download(storage, file, dir.resolve(name));
      }
    } catch (IOException | RuntimeException e) {
      WorkDirectory.deleteRecursively(dir);
      throw e;
    }
    return dir;
  }

  /** Deletes the key groups of {@code source} outside this backend's range, in every state. */
  private void clipTo(KeyGroupRange source) throws RocksDBException {
    for (RocksDbColumn column : columns.values()) {
      if (source.start() < keyGroupRange.start()) {
        db.deleteRange(
            column.handle, writeOptions, keyGroupPrefix(0), keyGroupPrefix(keyGroupRange.start()));
      }
      if (source.end() > keyGroupRange.end()) {
        db.deleteRange(
            column.handle,
            writeOptions,
            keyGroupPrefix(keyGroupRange.end() + 1),
            keyGroupPrefix(maxParallelism));
      }
    }
  }

  static byte[] keyGroupPrefix(int keyGroup) {
    return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
  }

  static int keyGroupOf(byte[] key) {
    return (key[0] & 0xff) << 8 | (key[1] & 0xff);
  }

  /** Copies the entries of this backend's key groups from a downloaded snapshot. */
  private void copyFrom(Path dir, KeyGroupRange source, String location) throws IOException {
    List<byte[]> names;
    try {
      names = listColumns(dir);
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot open RocksDB snapshot " + location + ": " + e.getMessage(), e);
    }
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(names.size());
    for (byte[] name : names) {
      descriptors.add(new ColumnFamilyDescriptor(name, columnOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>(names.size());
    RocksDB snapshotDb = null;
    try {
      snapshotDb = RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles);
      ColumnFamilyHandle meta = metaColumn(names, handles);
      KeyGroupRange wanted = source.intersect(keyGroupRange);
      for (int i = 0; i < names.size(); i++) {
        String stateName = stateName(names.get(i));
        if (stateName == null) {
          continue;
        }
        StateKind kind = readKind(snapshotDb, meta, stateName, location);
        RocksDbColumn target = columns.get(stateName);
        if (target == null) {
          target = new RocksDbColumn(stateName, kind, createColumn(stateName, kind));
          columns.put(stateName, target);
        } else {
          StateKind.requireSame(stateName, target.kind, kind);
        }
        copyRange(snapshotDb, handles.get(i), target, wanted);
      }
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot copy key groups from RocksDB snapshot " + location + ": " + e.getMessage(), e);
    } finally {
      for (ColumnFamilyHandle handle : handles) {
        handle.close();
      }
      if (snapshotDb != null) {
        snapshotDb.close();
      }
    }
  }

  private void copyRange(
      RocksDB source, ColumnFamilyHandle from, RocksDbColumn to, KeyGroupRange range)
      throws RocksDBException {
    try (RocksIterator it = source.newIterator(from, readOptions);
        WriteBatch batch = new WriteBatch()) {
      for (it.seek(keyGroupPrefix(range.start())); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (keyGroupOf(key) > range.end()) {
          break;
        }
        batch.put(to.handle, key, it.value());
        if (batch.getDataSize() >= COPY_BATCH_BYTES) {
          db.write(writeOptions, batch);
          batch.clear();
        }
      }
      it.status();
      db.write(writeOptions, batch);
    }
  }

  /** Live data plus memtables of every state, as RocksDB estimates them; 0 when it cannot tell. */
  @Override
  public long estimatedSizeBytes() {
    long bytes = 0;
    try {
      for (RocksDbColumn column : columns.values()) {
        bytes += db.getLongProperty(column.handle, "rocksdb.estimate-live-data-size");
        bytes += db.getLongProperty(column.handle, "rocksdb.cur-size-all-mem-tables");
      }
    } catch (RocksDBException e) {
      return 0;
    }
    return bytes;
  }

  /** Closes every native handle and deletes the work directory's contents (database included). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    liveReads.writeLock().lock(); // waits for full snapshots reading the database to stop
    try {
      if (cache != null) {
        cache.clear(); // the database is deleted anyway; unreference the values
      }
      closeDb();
      closeOptions();
      workDirectory.clear();
    } finally {
      liveReads.writeLock().unlock();
    }
  }

  private void closeOptions() {
    columnOptions.close();
    listMerge.close();
    dbOptions.close();
    writeOptions.close();
    readOptions.close();
  }

  /** Where the live database is, for tests and diagnostics. */
  Path dbPath() {
    return dbPath;
  }

  /** The value cache, for tests and diagnostics; null when its capacity is 0. */
  RocksDbValueCache cache() {
    return cache;
  }

  @Override
  public String toString() {
    return "RocksDbKeyedStateBackend[" + description + " " + keyGroupRange + "]";
  }
}
