package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.api.ReduceFunction;
import dev.weir.api.ReducingState;
import dev.weir.state.CheckedReduce;
import java.util.Objects;

/**
 * {@link ReducingState} of the RocksDB backend: {@link #add} reads, reduces and writes back,
 * through its {@link RocksDbCachingValueStore}. Used by the task thread only.
 */
final class RocksDbReducingState<T> implements ReducingState<T> {
  private final RocksDbCachingValueStore values;
  private final RocksDbColumn column;
  private final ReduceFunction<T> reducer;
  private final Codec<T> codec;

  RocksDbReducingState(
      RocksDbCachingValueStore values,
      RocksDbColumn column,
      ReduceFunction<T> reducer,
      Codec<T> codec) {
    this.values = values;
    this.column = column;
    this.reducer = reducer;
    this.codec = codec;
  }

  @Override
  public T get() {
    return values.value(column, codec);
  }

  @Override
  public void add(T value) {
    Objects.requireNonNull(value, "ReducingState.add(null)");
    T current = get();
    T reduced = current == null ? value : CheckedReduce.apply(reducer, column.name, current, value);
    values.setValue(column, codec, reduced);
  }

  @Override
  public void clear() {
    values.setValue(column, codec, null);
  }
}
