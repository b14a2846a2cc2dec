package dev.weir.state;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayWriter;
import java.util.ArrayList;

/**
 * A heap state read from a snapshot but not registered yet: its entries stay serialized until the
 * operator asks for the state (only then are its codecs known). Until then snapshots write the
 * bytes as they are, so state an operator does not use in this run is carried over, not lost.
 *
 * <p>Filled by the task thread during restore, immutable afterwards (snapshots may read it from
 * upload threads).
 */
final class SerializedHeapState implements HeapSnapshotSource {
  private final String name;
  private final StateKind kind;

  /** Per key group index: key, value, key, value, ... */
  private final ArrayList<byte[]>[] entries;

  @SuppressWarnings("unchecked")
  SerializedHeapState(String name, StateKind kind, int keyGroups) {
    this.name = name;
    this.kind = kind;
    this.entries = new ArrayList[keyGroups];
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public StateKind kind() {
    return kind;
  }

  void add(int keyGroupIndex, byte[] key, byte[] value) {
    ArrayList<byte[]> list = entries[keyGroupIndex];
    if (list == null) {
      list = new ArrayList<>();
      entries[keyGroupIndex] = list;
    }
    list.add(key);
    list.add(value);
  }

  /** Key and value bytes alternating, or null when the key group has no entries. */
  ArrayList<byte[]> entries(int keyGroupIndex) {
    return entries[keyGroupIndex];
  }

  @Override
  public int writeKeyGroup(
      int keyGroupIndex, ByteArrayWriter out, ByteArrayWriter scratch, Codec<Object> keyCodec) {
    ArrayList<byte[]> list = entries[keyGroupIndex];
    if (list == null) {
      return 0;
    }
    for (byte[] bytes : list) {
      out.writeVarInt(bytes.length);
      out.writeBytes(bytes, 0, bytes.length);
    }
    return list.size() / 2;
  }
}
