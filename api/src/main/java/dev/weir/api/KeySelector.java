package dev.weir.api;

/** Extracts the key of a record; must be deterministic. */
@FunctionalInterface
public interface KeySelector<T, K> {
  K key(T value);
}
