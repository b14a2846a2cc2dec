package dev.weir.state.heap;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupFileReader;
import dev.weir.state.format.KeyGroupStateSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;

/**
 * A heap state read from a snapshot but not registered yet: its entries stay serialized until the
 * operator asks for the state (only then are its codecs known). Until then snapshots write the
 * bytes as they are, so state an operator does not use in this run is carried over, not lost.
 *
 * <p>Values are kept in the encoding of the file they came from ({@link #format()}): a heap
 * checkpoint's or a canonical savepoint's. Canonical values convert to heap values without codecs
 * (their list elements and map entries carry lengths); heap list and map values do not convert
 * back, so a savepoint fails while such a state is unregistered.
 *
 * <p>Filled by the task thread during restore, immutable afterwards (snapshots may read it from
 * upload threads).
 */
final class SerializedHeapState {
  private final String name;
  private final StateKind kind;
  private KeyGroupFileFormat format;

  /** Per key group index: key, value, key, value, ... */
  private final ArrayList<byte[]>[] entries;

  @SuppressWarnings("unchecked")
  SerializedHeapState(String name, StateKind kind, KeyGroupFileFormat format, int keyGroups) {
    this.name = name;
    this.kind = kind;
    this.format = format;
    this.entries = new ArrayList[keyGroups];
  }

  String name() {
    return name;
  }

  StateKind kind() {
    return kind;
  }

  /** The encoding of the values held. */
  KeyGroupFileFormat format() {
    return format;
  }

  void add(int keyGroupIndex, byte[] key, byte[] value, KeyGroupFileFormat valueFormat) {
    if (valueFormat != format && hasDistinctEncodings()) {
      // handles of both formats (rare): keep the heap encoding, the one both convert to
      if (format == KeyGroupFileFormat.CANONICAL) {
        convertAllToHeap();
      } else {
        value = CanonicalSnapshotFormat.toHeapValue(kind, value);
      }
    }
    ArrayList<byte[]> list = entries[keyGroupIndex];
    if (list == null) {
      list = new ArrayList<>();
      entries[keyGroupIndex] = list;
    }
    list.add(key);
    list.add(value);
  }

  private boolean hasDistinctEncodings() {
    return kind == StateKind.LIST || kind == StateKind.MAP;
  }

  private void convertAllToHeap() {
    for (ArrayList<byte[]> list : entries) {
      if (list != null) {
        for (int i = 1; i < list.size(); i += 2) {
          list.set(i, CanonicalSnapshotFormat.toHeapValue(kind, list.get(i)));
        }
      }
    }
    format = KeyGroupFileFormat.HEAP;
  }

  /** Key and value bytes alternating, or null when the key group has no entries. */
  ArrayList<byte[]> entries(int keyGroupIndex) {
    return entries[keyGroupIndex];
  }

  /**
   * A snapshot source writing these entries in {@code target}'s encoding.
   *
   * @throws IllegalStateException when heap-encoded list or map values are to be written to a
   *     canonical savepoint: their elements cannot be told apart without the state's codecs
   */
  KeyGroupStateSource source(KeyGroupFileFormat target) {
    if (target == format || !hasDistinctEncodings()) {
      return new Source(false);
    }
    if (target == KeyGroupFileFormat.HEAP) {
      return new Source(true);
    }
    throw new IllegalStateException(
        kind
            + " state '"
            + name
            + "' was restored from a heap checkpoint and the operator has not registered it; it"
            + " cannot be written to a savepoint until the operator registers it");
  }

  private final class Source implements KeyGroupStateSource {
    private final boolean toHeap;

    Source(boolean toHeap) {
      this.toHeap = toHeap;
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
      ArrayList<byte[]> list = entries[keyGroupIndex];
      if (list == null) {
        return 0;
      }
      for (int i = 0; i < list.size(); i++) {
        byte[] bytes = list.get(i);
        if (toHeap && (i & 1) == 1) {
          bytes = CanonicalSnapshotFormat.toHeapValue(kind, bytes);
        }
        out.writeVarInt(bytes.length);
        out.writeBytes(bytes, 0, bytes.length);
      }
      return list.size() / 2;
    }
  }

  /**
   * Collects the entries a {@link KeyGroupFileReader} reads into serialized states by name, for the
   * key groups of {@code range}.
   */
  static final class Collector implements KeyGroupFileReader.EntrySink {
    private final Map<String, SerializedHeapState> states;
    private final KeyGroupRange range;
    private KeyGroupFileFormat format;
    private String location;
    private SerializedHeapState current;
    private int currentIndex;
    private final ByteArrayReader reader = new ByteArrayReader();

    Collector(Map<String, SerializedHeapState> states, KeyGroupRange range) {
      this.states = states;
      this.range = range;
    }

    /** Sets the file read next. */
    Collector file(KeyGroupFileFormat format, String location) {
      this.format = format;
      this.location = location;
      return this;
    }

    @Override
    public void beginState(int keyGroup, String name, StateKind kind) throws StateRestoreException {
      SerializedHeapState state = states.get(name);
      if (state == null) {
        state = new SerializedHeapState(name, kind, format, range.size());
        states.put(name, state);
      } else if (state.kind() != kind) {
        throw KeyGroupFileReader.corrupt(
            location, "state '" + name + "' appears as " + kind + " and " + state.kind());
      }
      current = state;
      currentIndex = keyGroup - range.start();
    }

    @Override
    public void entry(
        byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength) {
      if (format == KeyGroupFileFormat.CANONICAL) {
        // validated now, so that a malformed value fails the restore naming the file
        CanonicalSnapshotFormat.checkValue(current.kind, bytes, valueOffset, valueLength, reader);
      }
      byte[] value = Arrays.copyOfRange(bytes, valueOffset, valueOffset + valueLength);
      current.add(
          currentIndex, Arrays.copyOfRange(bytes, keyOffset, keyOffset + keyLength), value, format);
    }
  }
}
