package dev.weir.api;

/** A value per key that folds every added value in with a {@link ReduceFunction}. */
public interface ReducingState<T> {
  /** The reduced value, or {@code null} when nothing was added. */
  T get();

  void add(T value);

  void clear();
}
