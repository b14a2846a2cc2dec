package dev.weir.api;

/**
 * Where records go. A transactional sink stages what it receives between checkpoints in {@link
 * #snapshotState} (pre-commit) and makes it visible in {@link #notifyCheckpointComplete} (commit),
 * which gives exactly-once output together with aligned checkpoints.
 */
public interface Sink<T> {
  void open(RuntimeContext context, OperatorStateStore state) throws Exception;

  void write(T record) throws Exception;

  /**
   * Pre-commit: make everything written so far durable but invisible, and remember it in state.
   * Runs on the task thread, between two records: keep it short and move slow work (uploads) to
   * {@link #snapshotStateAsync}.
   */
  default void snapshotState(long checkpointId) throws Exception {}

  /**
   * The part of the pre-commit that may run off the task thread (uploads): called on an upload
   * thread after {@link #snapshotState} returned for the same checkpoint and before the checkpoint
   * is acknowledged, possibly while {@link #write} goes on for the next one. The checkpoint fails
   * if it throws; a checkpoint completes only after its own call returned. Default: nothing.
   */
  default void snapshotStateAsync(long checkpointId) throws Exception {}

  /** Checkpoint {@code checkpointId} is complete: commit what was pre-committed up to it. */
  default void notifyCheckpointComplete(long checkpointId) throws Exception {}

  default void close() throws Exception {}
}
