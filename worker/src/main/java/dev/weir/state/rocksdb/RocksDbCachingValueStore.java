package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayWriter;
import java.util.Arrays;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The values of value and reducing states (one value per key), read and written through a {@link
 * RocksDbValueCache} that sits as a layer in front of the backend's RocksDB, as Kafka Streams'
 * CachingKeyValueStore wraps its store: reads of cached keys and all writes stay in the cache (a
 * key read from RocksDB is cached, absent or not); an evicted dirty entry is written to RocksDB;
 * {@link #writeBack()}, the synchronous part of every snapshot, writes every dirty entry, so that
 * what RocksDB holds then is exactly the state. List and map states do not come here (their values
 * are merged or spread over many RocksDB entries), so the cache and RocksDB never disagree about
 * them. With a capacity of 0 there is no cache, and every access goes straight to RocksDB.
 *
 * <p>The hot path allocates nothing and takes no extra hop: value and reducing states hold this
 * store and call it directly; the backend's {@code setCurrentKey} prepares the {@link
 * #currentKey()} for lookups (its hash and prefixes computed once); the entry found or inserted for
 * the current key is remembered in it, so that the update after a read does not look the key up
 * again; only caching a key not yet cached allocates (its entry and a copy of its key).
 *
 * <p>Threading: owned by the task thread, like the backend.
 */
final class RocksDbCachingValueStore {
  private final RocksDbKeyedStateBackend backend;

  /** Null when the capacity is 0: every access goes to RocksDB. */
  private final RocksDbValueCache cache;

  /** The backend's current key, prepared for lookups by the backend; null without a cache. */
  private final RocksDbValueCache.Key currentKey;

  // Writing the cache back at a snapshot; null without a cache.
  private final RocksDbWriteBatchBuilder batchBuilder;
  private RocksDbValueCache.Entry[] dirtyEntries = new RocksDbValueCache.Entry[0];

  /**
   * @param capacity how many keys of value and reducing states the cache holds; 0 for no cache
   */
  RocksDbCachingValueStore(RocksDbKeyedStateBackend backend, int capacity) {
    this.backend = backend;
    this.cache = capacity == 0 ? null : new RocksDbValueCache(capacity, this::writeEvicted);
    this.currentKey = cache == null ? null : new RocksDbValueCache.Key();
    this.batchBuilder = cache == null ? null : new RocksDbWriteBatchBuilder();
  }

  /**
   * The key that {@code setCurrentKey} sets ({@link RocksDbValueCache.Key#set}) for every record;
   * null without a cache.
   */
  RocksDbValueCache.Key currentKey() {
    return currentKey;
  }

  /**
   * The current key's value of a value or reducing state.
   *
   * @return the value, or null when the key has none
   */
  @SuppressWarnings("unchecked")
  <T> T value(RocksDbColumn column, Codec<T> codec) {
    RocksDbValueCache c = cache;
    if (c == null) {
      int length = backend.currentKeyLength();
      return backend.read(column, backend.currentKeyBytes(), length, codec);
    }
    RocksDbValueCache.Key key = requireCurrentKey();
    RocksDbValueCache.Entry entry = entryOf(column, key);
    if (entry != null) {
      return (T) entry.value;
    }
    T value = backend.read(column, key.bytes(), key.length(), codec);
    key.entry = c.insert(column, key, value, codec, false);
    return value;
  }

  /**
   * Sets the current key's value of a value or reducing state: RocksDB sees it when the entry is
   * evicted or at the next snapshot.
   *
   * @param value the new value, null to remove the key's value
   */
  <T> void setValue(RocksDbColumn column, Codec<T> codec, T value) {
    RocksDbValueCache c = cache;
    if (c == null) {
      int length = backend.currentKeyLength();
      byte[] key = backend.currentKeyBytes();
      if (value == null) {
        backend.delete(column, key, length);
      } else {
        backend.write(column, key, length, codec, value);
      }
      return;
    }
    RocksDbValueCache.Key key = requireCurrentKey();
    RocksDbValueCache.Entry entry = entryOf(column, key);
    if (entry != null) {
      c.update(entry, value, codec);
    } else {
      key.entry = c.insert(column, key, value, codec, true);
    }
  }

  private RocksDbValueCache.Key requireCurrentKey() {
    RocksDbValueCache.Key key = currentKey;
    if (key.length() == 0) {
      throw RocksDbKeyedStateBackend.noCurrentKey();
    }
    return key;
  }

  /** The cache entry of the current key in a state, or null when it is not cached. */
  private RocksDbValueCache.Entry entryOf(RocksDbColumn column, RocksDbValueCache.Key key) {
    RocksDbValueCache.Entry entry = key.entry;
    if (entry != null && entry.column == column && entry.cached) {
      return entry;
    }
    entry = cache.find(column, key);
    if (entry != null) {
      key.entry = entry;
    }
    return entry;
  }

  /** Writes an entry the cache evicts (dirty ones only) straight to RocksDB. */
  private void writeEvicted(RocksDbValueCache.Entry entry) {
    if (entry.value == null) {
      backend.delete(entry.column, entry.key, entry.key.length);
    } else {
      backend.write(entry.column, entry.key, entry.key.length, entry.codec, entry.value);
    }
  }

  /**
   * Writes every dirty cache entry to RocksDB, in batches, and then marks them clean (they stay
   * cached). If a write fails, every entry stays dirty (those already written are harmlessly
   * written again later).
   *
   * <p>The entries go in key order: RocksDB's memtable skip list remembers where its last insert
   * went, so ascending inserts are several times faster than random ones, and the flush that
   * follows walks memory in order. Sorting costs less than it saves.
   */
  void writeBack() throws RocksDBException {
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
          ByteArrayWriter out = backend.valueBuffer();
          entry.codec.write(entry.value, out);
          batchBuilder.put(
              entry.column.columnFamilyId,
              entry.key,
              entry.key.length,
              out.array(),
              out.position());
        }
        if (batchBuilder.sizeBytes() >= RocksDbResources.WRITE_BATCH_BYTES) {
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
        backend.write(batch);
      }
      batchBuilder.reset();
    }
  }

  /** Drops every cached entry, dirty ones included, without writing anything back. */
  void clear() {
    if (cache != null) {
      cache.clear();
    }
  }

  /** The cache, for tests and diagnostics; null when its capacity is 0. */
  RocksDbValueCache cache() {
    return cache;
  }
}
