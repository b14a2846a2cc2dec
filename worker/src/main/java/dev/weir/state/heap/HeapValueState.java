package dev.weir.state.heap;

import dev.weir.api.ValueState;

/** {@link ValueState} of the heap backend; used by the task thread only. */
final class HeapValueState<T> implements ValueState<T> {
  private final HeapStateTable table;

  HeapValueState(HeapStateTable table) {
    this.table = table;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T value() {
    return (T) table.get();
  }

  @Override
  public void update(T value) {
    if (value == null) {
      clear();
      return;
    }
    table.put(value); // after value() of the same key: no second lookup
  }

  @Override
  public void clear() {
    table.remove();
  }
}
