package dev.weir.api;

/**
 * Turns values of one type into bytes and back, on the wire and in state. Weir never uses Java
 * serialization: every type that crosses a channel or lives in state has a codec.
 *
 * <p>Implementations MUST be stateless and thread-safe, and {@code read(write(v))} MUST equal
 * {@code v}. The encoding of a key MUST be deterministic: equal keys give equal bytes (key groups
 * are computed from them).
 */
public interface Codec<T> {
  void write(T value, BinaryWriter out);

  T read(BinaryReader in);
}
