package dev.weir.checkpoint;

import dev.weir.state.SnapshotType;

/**
 * How the checkpoint coordinator reaches tasks. In-process it calls them; over the network (gRPC)
 * it sends messages. Calls MUST NOT block.
 */
public interface TaskGateway {
  /**
   * Asks a source task to snapshot and emit barrier {@code checkpointId}. A final barrier of a
   * source that is not exhausted stops it (stop-with-savepoint): it emits nothing more, ends its
   * output once the checkpoint completed, and resumes if it is aborted.
   */
  void triggerCheckpoint(
      TaskId source, long checkpointId, long timestampMillis, boolean isFinal, SnapshotType type);

  /** Tells every task that the checkpoint is complete (sinks commit now). */
  void notifyCheckpointComplete(long checkpointId);

  /** Tells every task that the checkpoint was aborted (drop what was staged for it). */
  void notifyCheckpointAborted(long checkpointId);
}
