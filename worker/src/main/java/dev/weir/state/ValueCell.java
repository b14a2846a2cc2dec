package dev.weir.state;

/**
 * The heap backend's holder of one key's value (value and reducing state), so that a read followed
 * by a write of the same key costs one hash lookup: the write changes the cell in place. A cell
 * stamped with an older epoch may be referenced by a snapshot being written and is then replaced,
 * never changed. Owned by the task thread.
 */
final class ValueCell {
  Object value;
  int epoch;

  ValueCell(Object value, int epoch) {
    this.value = value;
    this.epoch = epoch;
  }
}
