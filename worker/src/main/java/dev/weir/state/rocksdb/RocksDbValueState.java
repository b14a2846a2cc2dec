package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.api.ValueState;

/**
 * {@link ValueState} of the RocksDB backend, read and written through the backend's value cache;
 * used by the task thread only.
 */
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
    return backend.cachedValue(column, codec);
  }

  @Override
  public void update(T value) {
    if (value == null) {
      clear();
      return;
    }
    backend.setCachedValue(column, codec, value);
  }

  @Override
  public void clear() {
    backend.setCachedValue(column, codec, null);
  }
}
