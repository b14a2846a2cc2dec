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

  // the cell read last, for the key object it was read for: update() right after value() of the
  // same record then needs no second lookup
  private Object cachedKey;
  private ValueCell cachedCell;
  private int cachedVersion;

  @Override
  @SuppressWarnings("unchecked")
  public T value() {
    Object key = backend.currentKey;
    ValueCell cell = table.cell(backend.currentIndex(), key);
    cachedKey = key;
    cachedCell = cell;
    cachedVersion = table.cellVersion;
    return cell == null ? null : (T) cell.value;
  }

  @Override
  public void update(T value) {
    if (value == null) {
      clear();
      return;
    }
    Object key = backend.currentKey;
    int index = backend.currentIndex();
    ValueCell cell =
        key == cachedKey && cachedVersion == table.cellVersion
            ? cachedCell
            : table.cell(index, key);
    table.writeValue(index, key, cell, value);
    cachedKey = null;
  }

  @Override
  public void clear() {
    table.remove(backend.currentIndex(), backend.currentKey);
    cachedKey = null;
  }
}
