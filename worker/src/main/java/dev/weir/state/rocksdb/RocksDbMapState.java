package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.api.MapState;
import dev.weir.codec.ByteArrayReader;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link MapState} of the RocksDB backend: one RocksDB entry per user key, under the current key's
 * bytes followed by the user key's bytes. Used by the task thread only.
 */
final class RocksDbMapState<K, V> implements MapState<K, V> {
  private final RocksDbKeyedStateBackend backend;
  private final RocksDbColumn column;
  private final Codec<K> userKeyCodec;
  private final Codec<V> valueCodec;

  RocksDbMapState(
      RocksDbKeyedStateBackend backend,
      RocksDbColumn column,
      Codec<K> userKeyCodec,
      Codec<V> valueCodec) {
    this.backend = backend;
    this.column = column;
    this.userKeyCodec = userKeyCodec;
    this.valueCodec = valueCodec;
  }

  @Override
  public V get(K key) {
    int length = backend.compositeKey(userKeyCodec, key);
    return backend.read(column, backend.compositeKeyBytes(), length, valueCodec);
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(value, "MapState does not hold null values");
    int length = backend.compositeKey(userKeyCodec, key);
    backend.write(column, backend.compositeKeyBytes(), length, valueCodec, value);
  }

  @Override
  public void remove(K key) {
    int length = backend.compositeKey(userKeyCodec, key);
    backend.delete(column, backend.compositeKeyBytes(), length);
  }

  @Override
  public boolean contains(K key) {
    int length = backend.compositeKey(userKeyCodec, key);
    return backend.readRaw(column, backend.compositeKeyBytes(), length) >= 0;
  }

  @Override
  public Iterable<Map.Entry<K, V>> entries() {
    int prefixLength = backend.currentKeyLength();
    ByteArrayReader reader = new ByteArrayReader();
    List<Map.Entry<K, V>> entries = new ArrayList<>();
    backend.forEachOfCurrentKey(
        column,
        (key, value) -> {
          K userKey = userKeyCodec.read(reader.wrap(key, prefixLength, key.length - prefixLength));
          V userValue = valueCodec.read(reader.wrap(value, 0, value.length));
          entries.add(new AbstractMap.SimpleImmutableEntry<>(userKey, userValue));
          return true;
        });
    return entries;
  }

  @Override
  public boolean isEmpty() {
    boolean[] found = new boolean[1];
    backend.forEachOfCurrentKey(
        column,
        (key, value) -> {
          found[0] = true;
          return false;
        });
    return !found[0];
  }

  @Override
  public void clear() {
    backend.deleteAllOfCurrentKey(column);
  }
}
