package dev.weir.api;

/** Non-keyed state of one operator subtask, such as a source's offsets. */
public interface OperatorStateStore {
  /**
   * A list of entries snapshotted with every checkpoint and restored (redistributed as declared)
   * after a failure or a change of parallelism.
   */
  <T> ListState<T> getListState(String name, Codec<T> codec, Redistribution redistribution);

  /** Whether this subtask starts from a snapshot (as opposed to fresh). */
  boolean isRestored();

  /** The id of the checkpoint this subtask's state comes from, if it was restored. */
  java.util.OptionalLong restoredCheckpointId();
}
