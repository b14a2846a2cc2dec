package dev.weir.state;

import dev.weir.api.Codec;
import dev.weir.api.ValueState;

/** {@link ValueState} of the RocksDB backend; used by the task thread only. */
final class RocksDbValueState<T> implements ValueState<T> {
  private final RocksDbKeyedStateBackend backend;
  private final RocksDbColumn column;
  private final Codec<T> codec;

  RocksDbValueState(RocksDbKeyedStateBackend backend, RocksDbColumn column, Codec<T> codec) {
    this.backend = backend;
    this.column = column;
    this.codec = codec;
  }

  @Override
  public T value() {
    int length = backend.currentKeyLength();
    return backend.read(column, backend.currentKeyBytes(), length, codec);
  }

  @Override
  public void update(T value) {
    if (value == null) {
      clear();
      return;
    }
    int length = backend.currentKeyLength();
    backend.write(column, backend.currentKeyBytes(), length, codec, value);
  }

  @Override
  public void clear() {
    int length = backend.currentKeyLength();
    backend.delete(column, backend.currentKeyBytes(), length);
  }
}
