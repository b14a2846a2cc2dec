package dev.weir.api;

import java.util.Map;

/** A map per key. */
public interface MapState<K, V> {
  V get(K key);

  void put(K key, V value);

  void remove(K key);

  boolean contains(K key);

  /** A snapshot of the entries for the current key (order unspecified). */
  Iterable<Map.Entry<K, V>> entries();

  boolean isEmpty();

  void clear();
}
