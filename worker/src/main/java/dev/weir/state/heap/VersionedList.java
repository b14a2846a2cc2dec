package dev.weir.state.heap;

import java.util.ArrayList;

/**
 * The values of one key of a heap {@link dev.weir.api.ListState}, stamped with the snapshot epoch
 * in which the task thread may change them in place ({@link SnapshotEpoch}). Owned by the task
 * thread; a snapshot reads the instances it captured, which the task thread then copies instead of
 * changing.
 */
final class VersionedList {
  final ArrayList<Object> items;
  int epoch;

  VersionedList(ArrayList<Object> items, int epoch) {
    this.items = items;
    this.epoch = epoch;
  }

  VersionedList copy(int newEpoch) {
    return new VersionedList(new ArrayList<>(items), newEpoch);
  }
}
