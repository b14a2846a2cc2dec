package dev.weir.state.format;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.state.StateKind;

/**
 * One state's entries as captured by a snapshot, written key group by key group into a file of one
 * {@link KeyGroupFileFormat} (the format is chosen when the source is created). Captured on the
 * task thread, then read by one upload thread, which asks for key groups in ascending order; the
 * captured data never changes afterwards.
 */
public interface KeyGroupStateSource {
  String name();

  StateKind kind();

  /**
   * Appends the entries of one key group to {@code out}, each as a length-prefixed serialized key
   * and a length-prefixed value encoded as the format prescribes for the state's kind. The order of
   * entries does not matter: the writer sorts them where the format requires it.
   *
   * @param keyGroupIndex key group minus the first key group of the backend's range
   * @param scratch a buffer the implementation may use freely
   * @return the number of entries written
   */
  int writeKeyGroup(
      int keyGroupIndex, ByteArrayWriter out, ByteArrayWriter scratch, Codec<Object> keyCodec);
}
