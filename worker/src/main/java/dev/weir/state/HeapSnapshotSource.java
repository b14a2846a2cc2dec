package dev.weir.state;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayWriter;

/**
 * One state's entries as captured by a heap snapshot, written key group by key group. Captured on
 * the task thread, then read by one upload thread; the captured data never changes afterwards.
 */
interface HeapSnapshotSource {
  String name();

  StateKind kind();

  /**
   * Appends the entries of one key group to {@code out}, each as a length-prefixed serialized key
   * and a length-prefixed serialized value ({@link HeapSnapshotFormat}).
   *
   * @param keyGroupIndex key group minus the first key group of the backend's range
   * @param scratch a buffer the implementation may use freely
   * @return the number of entries written
   */
  int writeKeyGroup(
      int keyGroupIndex, ByteArrayWriter out, ByteArrayWriter scratch, Codec<Object> keyCodec);
}
