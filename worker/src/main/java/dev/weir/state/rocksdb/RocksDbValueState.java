package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.api.ValueState;

/**
 * {@link ValueState} of the RocksDB backend, read and written through its {@link
 * RocksDbCachingValueStore}; used by the task thread only.
 */
final class RocksDbValueState<T> implements ValueState<T> {
  private final RocksDbCachingValueStore values;
  private final RocksDbColumn column;
  private final Codec<T> codec;

  RocksDbValueState(RocksDbCachingValueStore values, RocksDbColumn column, Codec<T> codec) {
    this.values = values;
    this.column = column;
    this.codec = codec;
  }

  @Override
  public T value() {
    return values.value(column, codec);
  }

  @Override
  public void update(T value) {
    if (value == null) {
      clear();
      return;
    }
    values.setValue(column, codec, value);
  }

  @Override
  public void clear() {
    values.setValue(column, codec, null);
  }
}
