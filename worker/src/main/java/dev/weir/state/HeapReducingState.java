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
    ValueCell cell = table.cell(backend.currentIndex(), backend.currentKey);
    return cell == null ? null : (T) cell.value;
  }

  @Override
  public void add(T value) {
    Objects.requireNonNull(value, "ReducingState.add(null)");
    int index = backend.currentIndex();
    ValueCell cell = table.cell(index, backend.currentKey);
    @SuppressWarnings("unchecked")
    T current = cell == null ? null : (T) cell.value;
    T reduced = current == null ? value : CheckedReduce.apply(reducer, table.name, current, value);
    table.writeValue(index, backend.currentKey, cell, reduced);
  }

  @Override
  public void clear() {
    table.remove(backend.currentIndex(), backend.currentKey);
  }
}
