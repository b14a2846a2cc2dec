package dev.weir.state.heap;

import dev.weir.codec.ByteArrayWriter;
import java.util.Arrays;

/**
 * One key group's entries of one heap state: an open-addressing hash table (linear probing) from
 * serialized key to value, laid out for few cache misses per lookup. A slot's hash and the offset
 * of its key are two adjacent ints; the keys' bytes are appended, length-prefixed, to one array;
 * the values are referenced from a parallel array. A lookup reads the slot, compares the stored
 * hash, then the key bytes, then the value: three memory locations, where a {@link
 * java.util.HashMap} of key objects reads the table, the node, the key object, its bytes and the
 * value.
 *
 * <p>{@link #copy()} copies the slot and value arrays and shares the key bytes, which are only ever
 * appended to beyond the copy's own length (or moved to a new array): a snapshot holding the
 * original reads it unchanged while the task thread changes the copy. Removed keys leave their
 * bytes behind until the next growth compacts them.
 *
 * <p>Not thread-safe: one writer; a captured original may be read by another thread.
 */
final class KeyGroupMap {
  private static final int MIN_CAPACITY = 16;

  /** Per slot: the key's hash (0 = empty slot), the offset of the key in {@link #keys}. */
  private int[] slots;

  private Object[] values;
  private byte[] keys;
  private int keysUsed;
  private int garbage;
  private int size;
  private int mask;

  KeyGroupMap() {
    this(MIN_CAPACITY);
  }

  KeyGroupMap(int expectedEntries) {
    int capacity = capacityFor(expectedEntries);
    slots = new int[2 * capacity];
    values = new Object[capacity];
    keys = new byte[Math.max(64, expectedEntries * 12)];
    mask = capacity - 1;
  }

  private KeyGroupMap(KeyGroupMap other) {
    slots = other.slots.clone();
    values = other.values.clone();
    keys = other.keys;
    keysUsed = other.keysUsed;
    garbage = other.garbage;
    size = other.size;
    mask = other.mask;
  }

  /** A map with the same entries that can be changed without changing this one. */
  KeyGroupMap copy() {
    return new KeyGroupMap(this);
  }

  /** The hash {@link #find} and {@link #insert} expect for a key's bytes; never 0. */
  static int hash(byte[] key, int offset, int length) {
    int h = 0x9747b28c ^ length;
    for (int i = offset, end = offset + length; i < end; i++) {
      h = 31 * h + key[i];
    }
    // murmur3's finalizer: every input bit reaches the low bits the table index is taken from
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h == 0 ? 1 : h;
  }

  int size() {
    return size;
  }

  /** The number of slots; slots {@code 0 .. capacity() - 1} may be iterated with {@link #used}. */
  int capacity() {
    return mask + 1;
  }

  /** Bytes held for keys, removed ones included until they are compacted away. */
  int keyBytesCapacity() {
    return keys.length;
  }

  boolean used(int slot) {
    return slots[2 * slot] != 0;
  }

  Object valueAt(int slot) {
    return values[slot];
  }

  void setValue(int slot, Object value) {
    values[slot] = value;
  }

  /**
   * The slot of a key, or {@code -1 - s} when it is absent, {@code s} being the free slot where
   * {@link #insert} may put it.
   */
  int find(byte[] key, int offset, int length, int hash) {
    int[] s = slots;
    int m = mask;
    int i = hash & m;
    while (true) {
      int h = s[2 * i];
      if (h == 0) {
        return -1 - i;
      }
      if (h == hash && keyEquals(s[2 * i + 1], key, offset, length)) {
        return i;
      }
      i = (i + 1) & m;
    }
  }

  private boolean keyEquals(int at, byte[] key, int offset, int length) {
    byte[] k = keys;
    int first = k[at];
    if (first >= 0) { // the common case: a key shorter than 128 bytes
      return first == length
          && Arrays.equals(k, at + 1, at + 1 + length, key, offset, offset + length);
    }
    long lengthAndStart = readLength(k, at);
    int start = (int) lengthAndStart;
    return (int) (lengthAndStart >>> 32) == length
        && Arrays.equals(k, start, start + length, key, offset, offset + length);
  }

  /**
   * Adds an absent key.
   *
   * @param freeSlot what {@link #find} returned for the key (negative)
   * @return the key's slot
   */
  int insert(byte[] key, int offset, int length, int hash, Object value, int freeSlot) {
    int slot;
    boolean grow = (size + 1) * 4 > capacity() * 3;
    boolean compact = keysUsed + 5 + length > keys.length && garbage > keysUsed / 2;
    if (grow || compact) {
      rehash(grow ? capacityFor(size + 1) : capacity());
      slot = -1 - find(key, offset, length, hash);
    } else {
      slot = -1 - freeSlot;
    }
    int at = appendKey(key, offset, length);
    slots[2 * slot] = hash;
    slots[2 * slot + 1] = at;
    values[slot] = value;
    size++;
    return slot;
  }

  /** Stores a key's value, replacing any; returns the key's slot. */
  int put(byte[] key, int offset, int length, int hash, Object value) {
    int slot = find(key, offset, length, hash);
    if (slot >= 0) {
      values[slot] = value;
      return slot;
    }
    return insert(key, offset, length, hash, value, slot);
  }

  /** Removes the entry of a used slot; entries after it may move to other slots. */
  void removeAt(int slot) {
    garbage += encodedKeyLength(slots[2 * slot + 1]);
    size--;
    int[] s = slots;
    int m = mask;
    int hole = slot;
    int j = slot;
    while (true) {
      j = (j + 1) & m;
      int h = s[2 * j];
      if (h == 0) {
        break;
      }
      int home = h & m;
      // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
      boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!stays) {
        s[2 * hole] = h;
        s[2 * hole + 1] = s[2 * j + 1];
        values[hole] = values[j];
        hole = j;
      }
    }
    s[2 * hole] = 0;
    s[2 * hole + 1] = 0;
    values[hole] = null;
  }

  /** Writes a used slot's key as its length (var int) and bytes. */
  void writeKey(int slot, ByteArrayWriter out) {
    int at = slots[2 * slot + 1];
    long lengthAndStart = readLength(keys, at);
    int start = (int) lengthAndStart;
    int length = (int) (lengthAndStart >>> 32);
    out.writeVarInt(length);
    out.writeBytes(keys, start, length);
  }

  private int appendKey(byte[] key, int offset, int length) {
    int need = 5 + length;
    if (keysUsed + need > keys.length) {
      // a new array: a captured original may still read the old one
      keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keysUsed + need));
    }
    int at = keysUsed;
    int p = at;
    int v = length;
    while ((v & ~0x7f) != 0) {
      keys[p++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    keys[p++] = (byte) v;
    System.arraycopy(key, offset, keys, p, length);
    keysUsed = p + length;
    return at;
  }

  private int encodedKeyLength(int at) {
    long lengthAndStart = readLength(keys, at);
    return (int) lengthAndStart - at + (int) (lengthAndStart >>> 32);
  }

  /** The var-int length at {@code at}: length in the high 32 bits, start of the bytes low. */
  private static long readLength(byte[] k, int at) {
    int p = at;
    int length = 0;
    int shift = 0;
    while (true) {
      byte b = k[p++];
      length |= (b & 0x7f) << shift;
      if (b >= 0) {
        return ((long) length << 32) | p;
      }
      shift += 7;
    }
  }

  /** Moves every entry to new arrays of {@code capacity} slots, dropping removed keys' bytes. */
  private void rehash(int capacity) {
    int[] oldSlots = slots;
    Object[] oldValues = values;
    byte[] oldKeys = keys;
    int newMask = capacity - 1;
    int[] newSlots = new int[2 * capacity];
    Object[] newValues = new Object[capacity];
    byte[] newKeys = new byte[Math.max(64, (keysUsed - garbage) * 2)];
    int used = 0;
    for (int i = 0; i < oldValues.length; i++) {
      int h = oldSlots[2 * i];
      if (h == 0) {
        continue;
      }
      int at = oldSlots[2 * i + 1];
      long lengthAndStart = readLength(oldKeys, at);
      int encoded = (int) lengthAndStart - at + (int) (lengthAndStart >>> 32);
      System.arraycopy(oldKeys, at, newKeys, used, encoded);
      int j = h & newMask;
      while (newSlots[2 * j] != 0) {
        j = (j + 1) & newMask;
      }
      newSlots[2 * j] = h;
      newSlots[2 * j + 1] = used;
      newValues[j] = oldValues[i];
      used += encoded;
    }
    slots = newSlots;
    values = newValues;
    keys = newKeys;
    keysUsed = used;
    garbage = 0;
    mask = newMask;
  }

  private static int capacityFor(int entries) {
    int capacity = MIN_CAPACITY;
    while (capacity * 3 < entries * 4 + 4 && capacity < (1 << 29)) {
      capacity <<= 1;
    }
    return capacity;
  }
}
