package dev.weir.state;

import dev.weir.api.ReduceFunction;
import dev.weir.api.ReducingState;
import java.util.Objects;

/** {@link ReducingState} of the heap backend; used by the task thread only. */
final class HeapReducingState<T> implements ReducingState<T> {
  private final HeapKeyedStateBackend backend;
  private final HeapStateTable table;
  private final ReduceFunction<T> reducer;

  HeapReducingState(
      HeapKeyedStateBackend backend, HeapStateTable table, ReduceFunction<T> reducer) {
    this.backend = backend;
    this.table = table;
    this.reducer = reducer;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get() {
    return (T) table.get(backend.currentIndex(), backend.currentKey);
  }

  @Override
  public void add(T value) {
    Objects.requireNonNull(value, "ReducingState.add(null)");
    int index = backend.currentIndex();
    T current = get();
    T reduced = current == null ? value : CheckedReduce.apply(reducer, table.name, current, value);
    table.writableMap(index).put(backend.currentKey, reduced);
  }

  @Override
  public void clear() {
    table.remove(backend.currentIndex(), backend.currentKey);
  }
}
