package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A bounded write-back cache of deserialized values in front of RocksDB, for value and reducing
 * states (one value per key), in the manner of Kafka Streams' record cache. Hot keys are read and
 * updated as Java objects, and RocksDB sees each dirty key once per checkpoint instead of a get and
 * a put per record.
 *
 * <p>An entry maps (state, serialized key) to what RocksDB would hold for it after the cached
 * writes: a value, or null for "absent" (cached after a read that found nothing, or after a clear).
 * A dirty entry has not been written to RocksDB yet. When an insert would exceed the capacity, an
 * entry not used recently is evicted, a dirty one handed to the {@link WriteBack} first. The owner
 * ({@link RocksDbCachingValueStore}) must write every dirty entry to RocksDB ({@link
 * #forEachDirty}, {@link #markAllClean}) before it reads RocksDB in a way that bypasses the cache
 * (a snapshot).
 *
 * <p>Eviction approximates least-recently-used with the CLOCK (second chance) policy: a hit only
 * sets the entry's referenced flag; the clock hand sweeps the entries in slot order, clearing
 * flags, and evicts the first entry it finds unreferenced. An exact LRU list would rewrite two to
 * six references between old objects on every hit, each a garbage-collector write barrier and
 * likely a cache miss; the flag is a plain byte in the entry the lookup already touched.
 *
 * <p>Values are kept as the objects the state handles received or returned, not copies: as with the
 * heap backend, callers must not mutate them after {@code update} or after reading them.
 *
 * <p>Lookups allocate nothing; an insert allocates the entry and a copy of the key, and {@link
 * #renewDirty} a new entry per dirty key. Capacity is counted in entries, not bytes: the values are
 * opaque objects whose size is unknown until they are serialized.
 *
 * <p>Threading: owned by the task thread, like the backend. Not thread-safe.
 */
final class RocksDbValueCache {
  /**
   * Receives dirty entries to write to RocksDB: a put of the value, or a delete when it is null.
   */
  interface WriteBack {
    void write(Entry entry);
  }

  /**
   * A serialized key to look up, with what lookups compare first, computed once by {@link #set}.
   * Mutable and reused: the {@link RocksDbCachingValueStore} keeps one for the backend's current
   * key.
   */
  static final class Key {
    private byte[] bytes = new byte[0];
    private int length;
    private int hash;
    private long prefix0;
    private long prefix1;

    /**
     * The entry found or inserted for this key last (in some state), kept by its owner so that an
     * update after a read does not look the key up again; null after {@link #set}. Stale once the
     * entry is no longer {@link Entry#cached}.
     */
    Entry entry;

    /** Refers to {@code bytes[0, length)}, which must not change until the next call. */
    void set(byte[] bytes, int length) {
      if (this.bytes != bytes) { // nearly always the same array: spares a write barrier
        this.bytes = bytes;
      }
      this.length = length;
      this.entry = null;
      int h = 1;
      for (int i = 0; i < length; i++) {
        h = 31 * h + bytes[i];
      }
      hash = h ^ (h >>> 16);
      prefix0 = bigEndian(bytes, 0, length);
      prefix1 = bigEndian(bytes, 8, length);
    }

    /** The array the key is in, from index 0. */
    byte[] bytes() {
      return bytes;
    }

    /** The key's length; 0 before the first {@link #set}. */
    int length() {
      return length;
    }
  }

  /** One cached key of one state. The caching value store reads the package-private fields. */
  static final class Entry {
    final RocksDbColumn column;

    /** The serialized key, exactly as long as it is. */
    final byte[] key;

    // Copied from the Key: a lookup compares these before it looks at the key array elsewhere in
    // memory, and for keys of at most 16 bytes never looks at it. The prefix is the first 16 key
    // bytes, big-endian and zero-padded, so ordering entries by key mostly needs only these too.
    private final int hash;
    private final int keyLength;
    private final long keyPrefix0;
    private final long keyPrefix1;

    /** The current value; null means the key has no value. */
    Object value;

    /** The codec that serializes {@link #value} when it is written back. */
    Codec<Object> codec;

    boolean dirty;

    /** False once evicted or dropped: a reference held elsewhere is stale. */
    boolean cached = true;

    /** Set by a hit, cleared by the passing clock hand. */
    private boolean referenced;

    private Entry nextInBucket;

    private Entry(RocksDbColumn column, Key key) {
      this.column = column;
      this.key = Arrays.copyOf(key.bytes, key.length);
      this.hash = key.hash;
      this.keyLength = key.length;
      this.keyPrefix0 = key.prefix0;
      this.keyPrefix1 = key.prefix1;
    }

    /** A copy that takes over the original's place; the original is no longer cached. */
    private Entry(Entry original) {
      this.column = original.column;
      this.key = original.key;
      this.hash = original.hash;
      this.keyLength = original.keyLength;
      this.keyPrefix0 = original.keyPrefix0;
      this.keyPrefix1 = original.keyPrefix1;
      this.value = original.value;
      this.codec = original.codec;
      this.dirty = original.dirty;
      this.referenced = original.referenced;
      original.cached = false;
    }

    private boolean matches(RocksDbColumn column, Key key) {
      return hash == key.hash
          && this.column == column
          && keyLength == key.length
          && keyPrefix0 == key.prefix0
          && keyPrefix1 == key.prefix1
          && (keyLength <= 16 || Arrays.equals(this.key, 16, keyLength, key.bytes, 16, keyLength));
    }
  }

  /**
   * Column family, then key bytes unsigned: the order of RocksDB's default comparator within a
   * column family. Zero padding can make the prefixes of two different keys equal (one key is the
   * other plus zero bytes); the full keys decide then.
   */
  static final Comparator<Entry> KEY_ORDER =
      (a, b) -> {
        if (a.column != b.column) {
          return Integer.compare(a.column.columnFamilyId, b.column.columnFamilyId);
        }
        if (a.keyPrefix0 != b.keyPrefix0) {
          return Long.compareUnsigned(a.keyPrefix0, b.keyPrefix0);
        }
        if (a.keyPrefix1 != b.keyPrefix1) {
          return Long.compareUnsigned(a.keyPrefix1, b.keyPrefix1);
        }
        return Arrays.compareUnsigned(a.key, b.key);
      };

  private static final int INITIAL_SIZE = 1 << 10;
  private static final int MAX_BUCKETS = 1 << 30;

  private final int capacity;
  private final WriteBack evictionWriter;
  private Entry[] buckets = new Entry[INITIAL_SIZE];

  /** Every entry, in {@code [0, size)}; grows up to the capacity. */
  private Entry[] slots;

  private int size;
  private int dirtyCount;

  /** The slot the clock hand looks at next, once the cache is full. */
  private int hand;

  /**
   * @param capacity the most entries held at once; at least 1
   * @param evictionWriter writes an evicted dirty entry to RocksDB
   */
  RocksDbValueCache(int capacity, WriteBack evictionWriter) {
    if (capacity < 1) {
      throw new IllegalArgumentException("cache capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    this.evictionWriter = evictionWriter;
    this.slots = new Entry[Math.min(capacity, INITIAL_SIZE)];
  }

  /** The entry of a key of a state, flagged as referenced; null when not cached. */
  Entry find(RocksDbColumn column, Key key) {
    for (Entry e = buckets[bucket(column, key.hash)]; e != null; e = e.nextInBucket) {
      if (e.matches(column, key)) {
        if (!e.referenced) { // a read is cheaper than dirtying the line on every hit
          e.referenced = true;
        }
        return e;
      }
    }
    return null;
  }

  /**
   * Caches a key that {@link #find} did not find. When the cache is full, an entry that was not
   * referenced since the clock hand last passed it goes first, written back if dirty.
   *
   * @param value the key's value, null for absent
   * @param dirty whether RocksDB does not hold this value yet
   */
  @SuppressWarnings("unchecked")
  Entry insert(RocksDbColumn column, Key key, Object value, Codec<?> codec, boolean dirty) {
    boolean full = size == capacity;
    int slot = full ? evictOne() : size;
    Entry e = new Entry(column, key);
    e.value = value;
    e.codec = (Codec<Object>) codec;
    e.dirty = dirty;
    if (dirty) {
      dirtyCount++;
    }
    int bucket = bucket(column, e.hash);
    e.nextInBucket = buckets[bucket];
    buckets[bucket] = e;
    if (slot == slots.length) {
      slots = Arrays.copyOf(slots, (int) Math.min(capacity, 2L * slots.length));
    }
    slots[slot] = e;
    if (!full && ++size > buckets.length - (buckets.length >>> 2) && buckets.length < MAX_BUCKETS) {
      grow();
    }
    return e;
  }

  /** Replaces the value of a cached entry, which RocksDB then no longer holds. */
  @SuppressWarnings("unchecked")
  void update(Entry e, Object value, Codec<?> codec) {
    e.value = value;
    if (e.codec != codec) { // nearly always the same: spares a write barrier
      e.codec = (Codec<Object>) codec;
    }
    if (!e.dirty) {
      e.dirty = true;
      dirtyCount++;
    }
  }

  /**
   * Hands every dirty entry to {@code writer}, in no particular order, leaving it dirty: the caller
   * marks them clean with {@link #markAllClean} once RocksDB holds them, so that a failed write
   * loses nothing.
   */
  void forEachDirty(WriteBack writer) {
    int remaining = dirtyCount;
    for (int i = 0; i < size && remaining > 0; i++) {
      Entry e = slots[i];
      if (e.dirty) {
        writer.write(e);
        remaining--;
      }
    }
  }

  /** Marks every entry clean: RocksDB now holds every cached value. */
  void markAllClean() {
    for (int i = 0; i < size && dirtyCount > 0; i++) {
      Entry e = slots[i];
      if (e.dirty) {
        e.dirty = false;
        dirtyCount--;
      }
    }
  }

  /**
   * Replaces every dirty entry by a copy allocated now, so that the entries updated in the last
   * interval are young objects again; the replaced ones are no longer cached. The owner calls this
   * once per checkpoint interval, before it marks the entries clean.
   *
   * <p>Why: every update stores a new value object into its entry. With G1, a store of a young
   * object into an old one dirties a card that concurrent refinement threads must then process; in
   * the word count those threads took about a quarter of the process's CPU. Stores into young
   * entries cost the barrier nothing. Entries that were not updated are left alone: copying them
   * would cost without saving anything.
   */
  void renewDirty() {
    int remaining = dirtyCount;
    for (int i = 0; i < size && remaining > 0; i++) {
      Entry original = slots[i];
      if (!original.dirty) {
        continue;
      }
      remaining--;
      Entry e = new Entry(original);
      slots[i] = e;
      int bucket = bucket(e.column, e.hash);
      e.nextInBucket = original.nextInBucket;
      original.nextInBucket = null;
      if (buckets[bucket] == original) {
        buckets[bucket] = e;
      } else {
        Entry previous = buckets[bucket];
        while (previous.nextInBucket != original) {
          previous = previous.nextInBucket;
        }
        previous.nextInBucket = e;
      }
    }
  }

  /** Drops every entry, dirty ones included, without writing anything back. */
  void clear() {
    for (int i = 0; i < size; i++) {
      slots[i].cached = false;
    }
    Arrays.fill(buckets, null);
    Arrays.fill(slots, null);
    size = 0;
    dirtyCount = 0;
    hand = 0;
  }

  int size() {
    return size;
  }

  int dirtyCount() {
    return dirtyCount;
  }

  int capacity() {
    return capacity;
  }

  private int bucket(RocksDbColumn column, int hash) {
    return (hash ^ column.cacheSalt) & (buckets.length - 1);
  }

  /**
   * Moves the clock hand to the first unreferenced entry, clearing the flags it passes, and evicts
   * that entry from the table; a full cache only. The caller puts the new entry in its slot.
   *
   * @return the slot of the evicted entry; the hand has moved past it, so the entry put there gets
   *     a full round
   */
  private int evictOne() {
    Entry e = slots[hand];
    while (e.referenced) {
      e.referenced = false;
      hand = hand + 1 == capacity ? 0 : hand + 1;
      e = slots[hand];
    }
    if (e.dirty) {
      evictionWriter.write(e); // first: if it fails, the entry is still cached and dirty
      e.dirty = false;
      dirtyCount--;
    }
    e.cached = false;
    int bucket = bucket(e.column, e.hash);
    Entry previous = null;
    for (Entry b = buckets[bucket]; b != null; previous = b, b = b.nextInBucket) {
      if (b == e) {
        if (previous == null) {
          buckets[bucket] = e.nextInBucket;
        } else {
          previous.nextInBucket = e.nextInBucket;
        }
        break;
      }
    }
    e.nextInBucket = null;
    int slot = hand;
    hand = hand + 1 == capacity ? 0 : hand + 1;
    return slot;
  }

  private void grow() {
    Entry[] grown = new Entry[buckets.length * 2];
    int mask = grown.length - 1;
    for (Entry head : buckets) {
      Entry e = head;
      while (e != null) {
        Entry next = e.nextInBucket;
        int bucket = (e.hash ^ e.column.cacheSalt) & mask;
        e.nextInBucket = grown[bucket];
        grown[bucket] = e;
        e = next;
      }
    }
    buckets = grown;
  }

  /**
   * Bytes {@code [from, from + 8)} of {@code bytes[0, length)} as a big-endian long, zero-padded.
   */
  private static long bigEndian(byte[] bytes, int from, int length) {
    long value = 0;
    for (int i = from; i < from + 8; i++) {
      value = value << 8 | (i < length ? bytes[i] & 0xff : 0);
    }
    return value;
  }
}
