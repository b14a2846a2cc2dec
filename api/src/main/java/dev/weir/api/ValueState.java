package dev.weir.api;

/** One value per key. Scoped to the key of the record being processed. */
public interface ValueState<T> {
  /** The value for the current key, or {@code null} when there is none. */
  T value();

  /**
   * Replaces the value for the current key. The heap backend keeps the object itself: do not mutate
   * it after handing it over.
   */
  void update(T value);

  void clear();
}
