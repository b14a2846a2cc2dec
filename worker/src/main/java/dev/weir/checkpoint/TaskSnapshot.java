package dev.weir.checkpoint;

import dev.weir.proto.SubtaskSnapshot;
import java.util.Map;

/**
 * What one task wrote for one checkpoint: per operator uid, its subtask's state handles.
 *
 * @param stateSizeBytes bytes written to storage for this checkpoint
 * @param alignmentNanos time from the first to the last barrier (exactly-once), else 0
 * @param syncNanos duration of the synchronous part
 * @param asyncNanos duration of the upload
 * @param channelStateBytes bytes of in-flight data persisted (unaligned checkpoints), else 0
 * @param unaligned whether this task took the checkpoint unaligned
 */
public record TaskSnapshot(
    TaskId task,
    long checkpointId,
    Map<String, SubtaskSnapshot> operators,
    long stateSizeBytes,
    long alignmentNanos,
    long syncNanos,
    long asyncNanos,
    long channelStateBytes,
    boolean unaligned) {
  public TaskSnapshot {
    operators = Map.copyOf(operators);
  }

  /** An aligned snapshot. */
  public TaskSnapshot(
      TaskId task,
      long checkpointId,
      Map<String, SubtaskSnapshot> operators,
      long stateSizeBytes,
      long alignmentNanos,
      long syncNanos,
      long asyncNanos) {
    this(
        task,
        checkpointId,
        operators,
        stateSizeBytes,
        alignmentNanos,
        syncNanos,
        asyncNanos,
        0,
        false);
  }
}
