package dev.weir.state.heap;

import dev.weir.api.ReduceFunction;
import dev.weir.api.ReducingState;
import dev.weir.state.CheckedReduce;
import java.util.Objects;

/** {@link ReducingState} of the heap backend; used by the task thread only. */
final class HeapReducingState<T> implements ReducingState<T> {
  private final HeapStateTable table;
  private final ReduceFunction<T> reducer;

  HeapReducingState(HeapStateTable table, ReduceFunction<T> reducer) {
    this.table = table;
    this.reducer = reducer;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get() {
    return (T) table.get();
  }

  @Override
  public void add(T value) {
    Objects.requireNonNull(value, "ReducingState.add(null)");
    @SuppressWarnings("unchecked")
    T current = (T) table.get();
    T reduced = current == null ? value : CheckedReduce.apply(reducer, table.name, current, value);
    table.put(reduced);
  }

  @Override
  public void clear() {
    table.remove();
  }
}
