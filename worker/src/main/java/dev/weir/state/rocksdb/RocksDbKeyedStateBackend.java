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
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroupRangeAssignment;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.SnapshotType;
import dev.weir.state.StateAccessException;
import dev.weir.state.StateBackendKind;
import dev.weir.state.StateKind;
import dev.weir.state.WorkDirectory;
import dev.weir.state.format.KeyedStateHandles;
import dev.weir.storage.CheckpointStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Keyed state in an embedded RocksDB database in the backend's work directory, one column family
 * per state, laid out as {@link RocksDbKeyLayout} says; the database and everything else native is
 * held by {@link RocksDbResources}. This class is the state access: the current key, the state
 * objects and the primitives they read and write with. Everything here belongs to the task thread,
 * except what a snapshot hands to an upload thread: a RocksDB snapshot of the live database, or the
 * files of a native checkpoint.
 *
 * <p>Value and reducing states go through the {@link RocksDbCachingValueStore}, a write-back cache
 * of deserialized values in front of RocksDB (unless its capacity is 0); list and map states read
 * and write RocksDB directly. A restore starts with an empty cache.
 *
 * <p>Snapshots: the synchronous part first writes the cache's dirty entries to RocksDB. A
 * savepoint, or a checkpoint without incremental checkpoints, then takes a RocksDB snapshot, which
 * an upload thread iterates into one canonical file ({@link RocksDbFullSnapshot}); an incremental
 * checkpoint takes a native checkpoint (memtables flushed, table files hard-linked) and uploads
 * only the table files that the last checkpoint confirmed complete (or the one restored from) does
 * not have ({@link RocksDbIncrementalSnapshot}, {@link RocksDbSharedFiles}). Restore: canonical
 * files are converted into table files and ingested ({@link RocksDbCanonicalRestore}); native
 * checkpoints are opened in place and clipped, or copied in ({@link RocksDbIncrementalRestore}).
 *
 * <p>The hot path allocates nothing of its own: the current key is serialized once per {@link
 * #setCurrentKey} into a reused buffer, values are encoded into and read from reused arrays; only
 * caching a key not yet cached allocates (its entry and a copy of its key).
 */
public final class RocksDbKeyedStateBackend implements KeyedStateBackend {
  private final String description;
  private final KeyGroupRange keyGroupRange;
  private final int maxParallelism;
  private final Codec<Object> keyCodec;
  private final WorkDirectory workDirectory;
  private final RocksDbResources resources;

  // The resources' options and open database, held here too because every access uses them.
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;

  /** {@link RocksDbResources#db()}; taken again whenever a restore replaced the database. */
  private RocksDB db;

  private final RocksDbCachingValueStore values;

  /**
   * The {@link RocksDbCachingValueStore#currentKey()}, set with every key; null without a cache.
   */
  private final RocksDbValueCache.Key cacheKey;

  /** Null for full checkpoints; see {@link RocksDbSharedFiles}. */
  private final RocksDbSharedFiles sharedFiles;

  private boolean restored;
  private boolean closed;

  // Reused buffers of the hot path (task thread only).
  private final ByteArrayWriter keyScratch = new ByteArrayWriter(64);
  private final ByteArrayWriter currentKey = new ByteArrayWriter(64);
  private final ByteArrayWriter compositeKey = new ByteArrayWriter(64);
  private final ByteArrayWriter valueBytes = new ByteArrayWriter(256);
  private final ByteArrayWriter elementScratch = new ByteArrayWriter(64);
  private final ByteArrayReader valueReader = new ByteArrayReader();
  private byte[] readBuffer = new byte[256];

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
      throw new IllegalArgumentException("cacheEntries must not be negative: " + cacheEntries);
    }
    this.values = new RocksDbCachingValueStore(this, cacheEntries);
    this.cacheKey = values.currentKey();
    this.sharedFiles =
        sharedDirectory == null
            ? null
            : new RocksDbSharedFiles(
                CheckpointStorage.join(
                    sharedDirectory, operatorUid, Integer.toString(subtaskIndex)));
    this.workDirectory = new WorkDirectory(workDir); // before anything native is allocated
    this.resources = new RocksDbResources();
    this.writeOptions = resources.writeOptions();
    this.readOptions = resources.readOptions();
    try {
      resources.open(workDirectory.freshPath("db"), null);
      db = resources.db();
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
    RocksDbKeyLayout.writeKey(out, keyGroup, scratch.array(), 0, scratch.position());
    RocksDbValueCache.Key forCache = cacheKey;
    if (forCache != null) {
      forCache.set(out.array(), out.position());
    }
  }

  // ---- primitives for the state objects and the caching value store (task thread)

  /** Length of the current key's bytes in {@link #currentKeyBytes()}. */
  int currentKeyLength() {
    int length = currentKey.position();
    if (length == 0) {
      throw noCurrentKey();
    }
    return length;
  }

  static IllegalStateException noCurrentKey() {
    return new IllegalStateException("keyed state used before setCurrentKey");
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

  /** Applies a batch of writes. */
  void write(WriteBatch batch) throws RocksDBException {
    db.write(writeOptions, batch);
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
    return new RocksDbValueState<>(values, column(descriptor), descriptor.codec());
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
        values, column(descriptor), descriptor.reducer(), descriptor.codec());
  }

  private RocksDbColumn column(StateDescriptor descriptor) {
    StateKind kind = StateKind.of(descriptor);
    RocksDbColumn column = resources.column(descriptor.name());
    if (column != null) {
      StateKind.requireSame(descriptor.name(), kind, column.kind);
      return column;
    }
    try {
      return resources.addColumn(descriptor.name(), kind);
    } catch (RocksDBException e) {
      throw new StateAccessException(
          "cannot create the column family of state '" + descriptor.name() + "'", e);
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
   * the table files not uploaded before ({@link RocksDbIncrementalSnapshot}).
   */
  @Override
  public KeyedSnapshot snapshot(
      long checkpointId, SnapshotType type, CheckpointStorage storage, String pathPrefix)
      throws RocksDBException {
    values.writeBack();
    if (type == SnapshotType.SAVEPOINT || sharedFiles == null) {
      // full: a RocksDB snapshot now (no flush), iterated into the canonical format on upload
      List<RocksDbCanonicalWriter.Column> live = new ArrayList<>(resources.columns().size());
      for (RocksDbColumn column : resources.columns()) {
        live.add(new RocksDbCanonicalWriter.Column(column.name, column.kind, column.handle));
      }
      return new RocksDbFullSnapshot(
          resources.live(),
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
    resources.checkpoint().createCheckpoint(dir.toString());
    return new RocksDbIncrementalSnapshot(
        checkpointId, dir, keyGroupRange, storage, pathPrefix, sharedFiles);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    if (sharedFiles != null) {
      sharedFiles.completed(checkpointId);
    }
  }

  /**
   * Restores the handles that intersect this backend's key groups: native checkpoints first ({@link
   * RocksDbIncrementalRestore}, which replaces the database), then canonical files ({@link
   * RocksDbCanonicalRestore}). Whatever was cached before is dropped, dirty or not.
   */
  @Override
  public void restore(List<KeyedStateHandle> handles, CheckpointStorage storage) throws Exception {
    if (restored) {
      throw new IllegalStateException("restore called twice on " + description);
    }
    restored = true;
    List<KeyedStateHandle> nativeHandles = new ArrayList<>();
    List<KeyedStateHandle> canonical = new ArrayList<>();
    for (KeyedStateHandle handle : handles) {
      if (!KeyedStateHandles.rangeOf(handle).intersect(keyGroupRange).isEmpty()) {
        if (KeyedStateHandles.requireReadable(handle, StateBackendKind.ROCKSDB, storage)) {
          canonical.add(handle);
        } else {
          nativeHandles.add(handle);
        }
      }
    }
    if (nativeHandles.isEmpty() && canonical.isEmpty()) {
      return;
    }
    values.clear(); // nothing may be cached over the restored entries
    try {
      if (!nativeHandles.isEmpty()) {
        new RocksDbIncrementalRestore(
                resources, workDirectory, keyGroupRange, maxParallelism, sharedFiles)
            .restore(nativeHandles, storage);
      }
      if (!canonical.isEmpty()) {
        new RocksDbCanonicalRestore(resources, workDirectory, keyGroupRange, maxParallelism)
            .restore(canonical, storage);
      }
    } finally {
      db = resources.db(); // a native restore opened another database
    }
  }

  /** Live data plus memtables of every state, as RocksDB estimates them; 0 when it cannot tell. */
  @Override
  public long estimatedSizeBytes() {
    return resources.estimatedSizeBytes();
  }

  /** Closes every native handle and deletes the work directory's contents (database included). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    values.clear(); // the database is deleted anyway; unreference the values
    resources.close(); // waits for full snapshots reading the database to stop
    workDirectory.clear();
  }

  /** Where the live database is, for tests and diagnostics. */
  Path dbPath() {
    return resources.dbPath();
  }

  /** The value cache, for tests and diagnostics; null when its capacity is 0. */
  RocksDbValueCache cache() {
    return values.cache();
  }

  @Override
  public String toString() {
    return "RocksDbKeyedStateBackend[" + description + " " + keyGroupRange + "]";
  }
}
