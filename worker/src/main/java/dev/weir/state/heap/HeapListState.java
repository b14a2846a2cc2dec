package dev.weir.state.heap;

import dev.weir.api.ListState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * {@link ListState} of the heap backend; used by the task thread only. {@link #get()} returns a
 * read-only view of the stored list, valid until the next change of this state.
 */
final class HeapListState<T> implements ListState<T> {
  private final HeapKeyedStateBackend backend;
  private final HeapStateTable table;

  HeapListState(HeapKeyedStateBackend backend, HeapStateTable table) {
    this.backend = backend;
    this.table = table;
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<T> get() {
    VersionedList list = (VersionedList) table.get();
    return list == null ? List.of() : (List<T>) Collections.unmodifiableList(list.items);
  }

  @Override
  public void add(T value) {
    Objects.requireNonNull(value, "ListState.add(null)");
    table.writableList().add(value);
  }

  @Override
  public void addAll(List<T> values) {
    if (values.isEmpty()) {
      return;
    }
    requireNoNulls(values);
    table.writableList().addAll(values);
  }

  @Override
  public void update(List<T> values) {
    if (values.isEmpty()) {
      clear();
      return;
    }
    requireNoNulls(values);
    // a fresh list: the caller keeps its own, and a snapshot may hold the old one
    table.put(new VersionedList(new ArrayList<>(values), backend.epoch()));
  }

  @Override
  public void clear() {
    table.remove();
  }

  private static void requireNoNulls(List<?> values) {
    for (Object v : values) {
      Objects.requireNonNull(v, "ListState does not hold null elements");
    }
  }
}
