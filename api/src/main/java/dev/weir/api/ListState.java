package dev.weir.api;

import java.util.List;

/** A list of values per key (keyed state) or per operator subtask (operator state). */
public interface ListState<T> {
  /** The values, in insertion order; empty, never null, when there are none. */
  List<T> get();

  void add(T value);

  void addAll(List<T> values);

  /** Replaces all values. */
  void update(List<T> values);

  void clear();
}
