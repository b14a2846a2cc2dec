package dev.weir.state.heap;

import java.util.HashMap;

/**
 * The entries of one key of a heap {@link dev.weir.api.MapState}, stamped with the snapshot epoch
 * in which the task thread may change them in place ({@link SnapshotEpoch}). Owned by the task
 * thread; a snapshot reads the instances it captured, which the task thread then copies instead of
 * changing.
 */
final class VersionedMap {
  final HashMap<Object, Object> entries;
  int epoch;

  VersionedMap(HashMap<Object, Object> entries, int epoch) {
    this.entries = entries;
    this.epoch = epoch;
  }

  VersionedMap copy(int newEpoch) {
    return new VersionedMap(new HashMap<>(entries), newEpoch);
  }
}
