package dev.weir.state.heap;

import dev.weir.api.MapState;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@link MapState} of the heap backend; used by the task thread only. */
final class HeapMapState<K, V> implements MapState<K, V> {
  private final HeapStateTable table;

  HeapMapState(HeapStateTable table) {
    this.table = table;
  }

  private HashMap<Object, Object> current() {
    VersionedMap map = (VersionedMap) table.get();
    return map == null ? null : map.entries;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(K key) {
    HashMap<Object, Object> entries = current();
    return entries == null ? null : (V) entries.get(key);
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "MapState key");
    Objects.requireNonNull(value, "MapState does not hold null values");
    table.writableUserMap().put(key, value);
  }

  @Override
  public void remove(K key) {
    HashMap<Object, Object> entries = current();
    if (entries == null || !entries.containsKey(key)) {
      return;
    }
    HashMap<Object, Object> writable = table.writableUserMap();
    writable.remove(key);
    if (writable.isEmpty()) {
      table.remove();
    }
  }

  @Override
  public boolean contains(K key) {
    HashMap<Object, Object> entries = current();
    return entries != null && entries.containsKey(key);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Iterable<Map.Entry<K, V>> entries() {
    HashMap<Object, Object> entries = current();
    if (entries == null) {
      return List.of();
    }
    List<Map.Entry<K, V>> copy = new ArrayList<>(entries.size());
    for (Map.Entry<Object, Object> e : entries.entrySet()) {
      copy.add(new AbstractMap.SimpleImmutableEntry<>((K) e.getKey(), (V) e.getValue()));
    }
    return copy;
  }

  @Override
  public boolean isEmpty() {
    return current() == null;
  }

  @Override
  public void clear() {
    table.remove();
  }
}
