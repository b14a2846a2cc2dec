package dev.weir.state.format;

import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.codec.MalformedDataException;
import java.util.Arrays;

/**
 * Sorts runs of length-prefixed entries, {@code (keyLength:varint key valueLength:varint value)*},
 * by key bytes (unsigned lexicographic) in place: the entries of a state in a key group, and the
 * user key/value pairs of a map value, in the {@link CanonicalSnapshotFormat}. Reuses its arrays
 * across calls, so one instance belongs to one thread.
 */
public final class LengthPrefixedEntries {
  private int[] entryStart = new int[64];
  private int[] keyStart = new int[64];
  private int[] keyLength = new int[64];
  private int[] order = new int[64];
  private int[] mergeScratch = new int[64];
  private final ByteArrayReader reader = new ByteArrayReader();
  private final ByteArrayWriter sorted = new ByteArrayWriter(1024);

  /**
   * Sorts the {@code count} entries in {@code buffer} from {@code from} to its position by key.
   *
   * @throws MalformedDataException when the bytes are not {@code count} well-formed entries
   */
  public void sort(ByteArrayWriter buffer, int from, int count) {
    if (count < 2) {
      return;
    }
    ensureCapacity(count + 1);
    byte[] bytes = buffer.array();
    int end = buffer.position();
    ByteArrayReader in = reader.wrap(bytes, from, end - from);
    for (int i = 0; i < count; i++) {
      entryStart[i] = in.position();
      keyLength[i] = readLength(in);
      keyStart[i] = in.position();
      in.skip(keyLength[i]);
      in.skip(readLength(in));
      order[i] = i;
    }
    entryStart[count] = in.position();
    if (in.position() != end) {
      throw new MalformedDataException((end - in.position()) + " bytes after the last entry");
    }
    if (isSorted(bytes, count)) {
      return; // the common case when the source is already ordered (RocksDB map entries)
    }
    mergeSort(bytes, 0, count);
    ByteArrayWriter out = sorted;
    out.reset();
    for (int i = 0; i < count; i++) {
      int e = order[i];
      out.writeBytes(bytes, entryStart[e], entryStart[e + 1] - entryStart[e]);
    }
    System.arraycopy(out.array(), 0, bytes, from, out.position());
  }

  private static int readLength(ByteArrayReader in) {
    int length = in.readVarInt();
    if (length < 0 || length > in.remaining()) {
      throw new MalformedDataException("entry length " + length + " exceeds its bytes");
    }
    return length;
  }

  private boolean isSorted(byte[] bytes, int count) {
    for (int i = 1; i < count; i++) {
      if (compare(bytes, i - 1, i) > 0) {
        return false;
      }
    }
    return true;
  }

  private int compare(byte[] bytes, int a, int b) {
    return Arrays.compareUnsigned(
        bytes,
        keyStart[a],
        keyStart[a] + keyLength[a],
        bytes,
        keyStart[b],
        keyStart[b] + keyLength[b]);
  }

  /** Stable merge sort of {@code order[from, to)}. */
  private void mergeSort(byte[] bytes, int from, int to) {
    if (to - from < 2) {
      return;
    }
    int middle = (from + to) >>> 1;
    mergeSort(bytes, from, middle);
    mergeSort(bytes, middle, to);
    if (compare(bytes, order[middle - 1], order[middle]) <= 0) {
      return;
    }
    System.arraycopy(order, from, mergeScratch, from, to - from);
    int i = from;
    int j = middle;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < middle && compare(bytes, mergeScratch[i], mergeScratch[j]) <= 0)) {
        order[k] = mergeScratch[i++];
      } else {
        order[k] = mergeScratch[j++];
      }
    }
  }

  private void ensureCapacity(int n) {
    if (entryStart.length < n) {
      int size = Math.max(n, entryStart.length * 2);
      entryStart = new int[size];
      keyStart = new int[size];
      keyLength = new int[size];
      order = new int[size];
      mergeScratch = new int[size];
    }
  }
}
