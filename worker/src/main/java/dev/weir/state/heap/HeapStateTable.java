package dev.weir.state.heap;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.state.StateKind;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.HeapSnapshotFormat;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupStateSource;
import dev.weir.state.format.LengthPrefixedEntries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * One registered state of the heap backend: per key group, a {@link KeyGroupMap} from serialized
 * key to value. Values are the user's objects for value and reducing state, a {@link VersionedList}
 * for list state and a {@link VersionedMap} for map state; empty lists and maps are removed, never
 * stored. Every access is for the backend's current key ({@link
 * HeapKeyedStateBackend#setCurrentKey}): its bytes, hash and key group.
 *
 * <p>Owned by the task thread. A snapshot captures a clone of the array of maps ({@link
 * #capture()}); afterwards the task thread copies a key group's map, and a list or map value,
 * before its first change ({@link SnapshotEpoch}), so the captured maps never change. Values are
 * replaced in the (copied) map, never changed: the API forbids changing an object handed to state.
 */
final class HeapStateTable {
  final String name;
  final StateKind kind;
  private final HeapKeyedStateBackend backend;
  private final Codec<Object> valueCodec;
  private final Codec<Object> userKeyCodec;
  private final SnapshotEpoch epoch;

  /** Index: key group minus the first key group of the range; null while a key group is empty. */
  final KeyGroupMap[] maps;

  /** The epoch in which each map may be changed in place. */
  private final int[] mapEpochs;

  // the slot of the current key in cachedMap, found by the last lookup of this table (negative:
  // absent); valid while the backend's key sequence is cachedSequence and no entry moved since
  private long cachedSequence = -1;
  private KeyGroupMap cachedMap;
  private int cachedSlot;

  @SuppressWarnings("unchecked")
  HeapStateTable(
      String name,
      StateKind kind,
      HeapKeyedStateBackend backend,
      Codec<?> valueCodec,
      Codec<?> userKeyCodec,
      int keyGroups,
      SnapshotEpoch epoch) {
    this.name = name;
    this.kind = kind;
    this.backend = backend;
    this.valueCodec = (Codec<Object>) valueCodec;
    this.userKeyCodec = (Codec<Object>) userKeyCodec;
    this.epoch = epoch;
    this.maps = new KeyGroupMap[keyGroups];
    this.mapEpochs = new int[keyGroups];
  }

  /** The map of a key group, ready to be changed; created when absent. */
  KeyGroupMap writableMap(int index) {
    KeyGroupMap map = maps[index];
    int now = epoch.current();
    if (map == null) {
      map = new KeyGroupMap();
      maps[index] = map;
      mapEpochs[index] = now;
    } else if (mapEpochs[index] != now) {
      if (epoch.mustCopy(mapEpochs[index])) {
        map = map.copy();
        maps[index] = map;
      }
      mapEpochs[index] = now;
    }
    return map;
  }

  /** The current key's slot in {@code map}, negative when absent (see {@link KeyGroupMap#find}). */
  private int slot(KeyGroupMap map) {
    HeapKeyedStateBackend b = backend;
    if (cachedSequence == b.keySequence && cachedMap == map) {
      return cachedSlot;
    }
    int slot = map.find(b.currentKeyBytes, 0, b.currentKeyLength, b.currentKeyHash);
    cachedSequence = b.keySequence;
    cachedMap = map;
    cachedSlot = slot;
    return slot;
  }

  /** The current key's stored value, or null. */
  Object get() {
    KeyGroupMap map = maps[backend.currentIndex()];
    if (map == null) {
      return null;
    }
    int slot = slot(map);
    return slot < 0 ? null : map.valueAt(slot);
  }

  /** Stores the current key's value, replacing any. */
  void put(Object value) {
    KeyGroupMap map = writableMap(backend.currentIndex());
    int slot = slot(map);
    if (slot >= 0) {
      map.setValue(slot, value);
      return;
    }
    HeapKeyedStateBackend b = backend;
    cachedSlot =
        map.insert(b.currentKeyBytes, 0, b.currentKeyLength, b.currentKeyHash, value, slot);
    cachedMap = map;
    cachedSequence = b.keySequence; // entries may have moved: only this key's slot is known
  }

  /** Removes the current key; copies its key group's map only when the key is present. */
  void remove() {
    int index = backend.currentIndex();
    KeyGroupMap map = maps[index];
    if (map == null || slot(map) < 0) {
      return;
    }
    map = writableMap(index);
    map.removeAt(slot(map));
    cachedSequence = -1; // entries may have moved
  }

  /** The current key's list, ready to be changed; created (and stored) when absent. */
  ArrayList<Object> writableList() {
    VersionedList list = (VersionedList) writableValue();
    int now = epoch.current();
    if (list == null) {
      list = new VersionedList(new ArrayList<>(), now);
      put(list);
    } else if (list.epoch != now) {
      if (epoch.mustCopy(list.epoch)) {
        list = list.copy(now);
        put(list);
      } else {
        list.epoch = now;
      }
    }
    return list.items;
  }

  /** The current key's user map, ready to be changed; created (and stored) when absent. */
  HashMap<Object, Object> writableUserMap() {
    VersionedMap userMap = (VersionedMap) writableValue();
    int now = epoch.current();
    if (userMap == null) {
      userMap = new VersionedMap(new HashMap<>(), now);
      put(userMap);
    } else if (userMap.epoch != now) {
      if (epoch.mustCopy(userMap.epoch)) {
        userMap = userMap.copy(now);
        put(userMap);
      } else {
        userMap.epoch = now;
      }
    }
    return userMap.entries;
  }

  /** The current key's value, in its key group's map made writable. */
  private Object writableValue() {
    KeyGroupMap map = writableMap(backend.currentIndex());
    int slot = slot(map);
    return slot < 0 ? null : map.valueAt(slot);
  }

  long entryCount() {
    long n = 0;
    for (KeyGroupMap map : maps) {
      if (map != null) {
        n += map.size();
      }
    }
    return n;
  }

  /**
   * Writes a stored value in the heap snapshot encoding of its kind ({@link HeapSnapshotFormat}).
   */
  void encodeValue(Object stored, BinaryWriter out) {
    switch (kind) {
      case VALUE, REDUCING -> valueCodec.write(stored, out);
      case LIST -> {
        ArrayList<Object> items = ((VersionedList) stored).items;
        out.writeVarInt(items.size());
        for (Object item : items) {
          valueCodec.write(item, out);
        }
      }
      case MAP -> {
        HashMap<Object, Object> entries = ((VersionedMap) stored).entries;
        out.writeVarInt(entries.size());
        for (Map.Entry<Object, Object> e : entries.entrySet()) {
          userKeyCodec.write(e.getKey(), out);
          valueCodec.write(e.getValue(), out);
        }
      }
    }
  }

  private Object decodeValue(BinaryReader in, int stamp) {
    return switch (kind) {
      case VALUE, REDUCING -> valueCodec.read(in);
      case LIST -> {
        int n = in.readVarInt();
        ArrayList<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(valueCodec.read(in));
        }
        yield new VersionedList(items, stamp);
      }
      case MAP -> {
        int n = in.readVarInt();
        HashMap<Object, Object> entries = new HashMap<>(capacityFor(n));
        for (int i = 0; i < n; i++) {
          Object userKey = userKeyCodec.read(in);
          entries.put(userKey, valueCodec.read(in));
        }
        yield new VersionedMap(entries, stamp);
      }
    };
  }

  /**
   * Decodes a value of the {@link CanonicalSnapshotFormat}: list elements and map entries are
   * length-prefixed, and each codec must consume exactly its part.
   */
  private Object decodeCanonicalValue(byte[] bytes, ByteArrayReader in, int stamp) {
    if (kind == StateKind.VALUE || kind == StateKind.REDUCING) {
      Object value = valueCodec.read(in.wrap(bytes, 0, bytes.length));
      requireConsumed(in, "value codec");
      return value;
    }
    ByteArrayReader frame = new ByteArrayReader(bytes, 0, bytes.length);
    int n = frame.readVarInt();
    if (kind == StateKind.LIST) {
      ArrayList<Object> items = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        items.add(readPart(frame, in, valueCodec, "value codec"));
      }
      return new VersionedList(items, stamp);
    }
    HashMap<Object, Object> entries = new HashMap<>(capacityFor(n));
    for (int i = 0; i < n; i++) {
      Object userKey = readPart(frame, in, userKeyCodec, "map key codec");
      entries.put(userKey, readPart(frame, in, valueCodec, "value codec"));
    }
    return new VersionedMap(entries, stamp);
  }

  private Object readPart(
      ByteArrayReader frame, ByteArrayReader in, Codec<Object> codec, String what) {
    int length = frame.readVarInt();
    in.wrap(frame.array(), frame.position(), length);
    Object value = codec.read(in);
    requireConsumed(in, what);
    frame.skip(length);
    return value;
  }

  /** Decodes restored entries into this table, with the codecs it was registered with. */
  void load(SerializedHeapState restored, Codec<Object> keyCodec) {
    StateKind.requireSame(name, kind, restored.kind());
    boolean canonical = restored.format() == KeyGroupFileFormat.CANONICAL;
    ByteArrayReader reader = new ByteArrayReader();
    int now = epoch.current();
    for (int index = 0; index < maps.length; index++) {
      ArrayList<byte[]> entries = restored.entries(index);
      if (entries == null) {
        continue;
      }
      KeyGroupMap map = writableMap(index);
      for (int i = 0; i < entries.size(); i += 2) {
        byte[] keyBytes = entries.get(i);
        byte[] valueBytes = entries.get(i + 1);
        keyCodec.read(reader.wrap(keyBytes, 0, keyBytes.length)); // refuses another key codec
        requireConsumed(reader, "key codec");
        Object value;
        if (canonical) {
          value = decodeCanonicalValue(valueBytes, reader, now);
        } else {
          value = decodeValue(reader.wrap(valueBytes, 0, valueBytes.length), now);
          requireConsumed(reader, "value codec");
        }
        map.put(
            keyBytes, 0, keyBytes.length, KeyGroupMap.hash(keyBytes, 0, keyBytes.length), value);
      }
    }
    cachedSequence = -1;
  }

  private void requireConsumed(ByteArrayReader reader, String what) {
    if (reader.remaining() != 0) {
      // The codec does not read what was written: a different codec than at snapshot time.
      throw new IllegalStateException(
          "state '"
              + name
              + "': the "
              + what
              + " left "
              + reader.remaining()
              + " bytes of a restored entry unread; is it the codec the state was written with?");
    }
  }

  /**
   * The state as of now, for a snapshot written in {@code format}; see the class comment for why it
   * stays unchanged.
   */
  KeyGroupStateSource capture(KeyGroupFileFormat format) {
    return new CapturedSource(maps.clone(), format == KeyGroupFileFormat.CANONICAL);
  }

  /**
   * Captured entries, written in the heap encoding or in the {@link CanonicalSnapshotFormat}'s
   * (list elements and map entries length-prefixed, map entries sorted by user key bytes). Used by
   * one upload thread.
   */
  private final class CapturedSource implements KeyGroupStateSource {
    private final KeyGroupMap[] captured;
    private final boolean canonical;
    private final ByteArrayWriter part;
    private final ByteArrayWriter pairs;
    private final LengthPrefixedEntries sorter;

    CapturedSource(KeyGroupMap[] captured, boolean canonical) {
      this.captured = captured;
      this.canonical = canonical;
      this.part = canonical ? new ByteArrayWriter(256) : null;
      this.pairs = canonical && kind == StateKind.MAP ? new ByteArrayWriter(1024) : null;
      this.sorter = pairs != null ? new LengthPrefixedEntries() : null;
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
      KeyGroupMap map = captured[keyGroupIndex];
      if (map == null) {
        return 0;
      }
      for (int slot = 0, n = map.capacity(); slot < n; slot++) {
        if (!map.used(slot)) {
          continue;
        }
        map.writeKey(slot, out); // the key codec's bytes, as setCurrentKey encoded them
        scratch.reset();
        if (canonical) {
          encodeCanonical(map.valueAt(slot), scratch);
        } else {
          encodeValue(map.valueAt(slot), scratch);
        }
        writeLengthPrefixed(scratch, out);
      }
      return map.size();
    }

    private void encodeCanonical(Object stored, ByteArrayWriter out) {
      switch (kind) {
        case VALUE, REDUCING -> valueCodec.write(stored, out);
        case LIST -> {
          ArrayList<Object> items = ((VersionedList) stored).items;
          out.writeVarInt(items.size());
          for (Object item : items) {
            writePart(valueCodec, item, out);
          }
        }
        case MAP -> {
          HashMap<Object, Object> entries = ((VersionedMap) stored).entries;
          pairs.reset();
          for (Map.Entry<Object, Object> e : entries.entrySet()) {
            writePart(userKeyCodec, e.getKey(), pairs);
            writePart(valueCodec, e.getValue(), pairs);
          }
          sorter.sort(pairs, 0, entries.size());
          out.writeVarInt(entries.size());
          out.writeBytes(pairs.array(), 0, pairs.position());
        }
      }
    }

    private void writePart(Codec<Object> codec, Object value, ByteArrayWriter out) {
      part.reset();
      codec.write(value, part);
      writeLengthPrefixed(part, out);
    }
  }

  private static void writeLengthPrefixed(ByteArrayWriter bytes, ByteArrayWriter out) {
    out.writeVarInt(bytes.position());
    out.writeBytes(bytes.array(), 0, bytes.position());
  }

  private static int capacityFor(int entries) {
    return (int) Math.min(1 << 30, entries / 0.75f + 1);
  }
}
