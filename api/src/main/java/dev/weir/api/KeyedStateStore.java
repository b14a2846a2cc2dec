package dev.weir.api;

/**
 * Keyed state of one operator. Every handle is scoped to the key of the record being processed;
 * handles are obtained once, in {@code open}, and used on every record.
 */
public interface KeyedStateStore {
  <T> ValueState<T> getState(StateDescriptor.Value<T> descriptor);

  <T> ListState<T> getListState(StateDescriptor.ListOf<T> descriptor);

  <K, V> MapState<K, V> getMapState(StateDescriptor.MapOf<K, V> descriptor);

  <T> ReducingState<T> getReducingState(StateDescriptor.Reducing<T> descriptor);
}
