package dev.weir.state;

import dev.weir.api.ValueState;

/** {@link ValueState} of the heap backend; used by the task thread only. */
final class HeapValueState<T> implements ValueState<T> {
  private final HeapKeyedStateBackend backend;
  private final HeapStateTable table;

  HeapValueState(HeapKeyedStateBackend backend, HeapStateTable table) {
    this.backend = backend;
    this.table = table;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T value() {
    return (T) table.get(backend.currentIndex(), backend.currentKey);
  }

  @Override
  public void update(T value) {
    if (value == null) {
      clear();
      return;
    }
    table.writableMap(backend.currentIndex()).put(backend.currentKey, value);
  }

  @Override
  public void clear() {
    table.remove(backend.currentIndex(), backend.currentKey);
  }
}
