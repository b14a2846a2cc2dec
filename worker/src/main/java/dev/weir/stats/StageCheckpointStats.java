package dev.weir.stats;

import java.util.List;

/**
 * One stage (a chain of operators that one task per subtask runs) of one checkpoint: what Flink's
 * checkpoint details call an operator. Immutable.
 *
 * @param name the stage's name as the runtime reported it, or null before its first ack
 * @param latestAckTimestampMillis null while no subtask has acknowledged
 * @param endToEndDurationMillis from the trigger to the latest acknowledgement of this stage, 0
 *     while none
 * @param subtasks the acknowledgements, by subtask index
 * @param pendingSubtasks subtask indexes that have not acknowledged
 */
public record StageCheckpointStats(
    int stage,
    String name,
    int acknowledgedSubtasks,
    int totalSubtasks,
    Long latestAckTimestampMillis,
    long endToEndDurationMillis,
    long stateSizeBytes,
    long alignmentBufferedBytes,
    List<SubtaskCheckpointStats> subtasks,
    List<Integer> pendingSubtasks) {

  public StageCheckpointStats {
    subtasks = List.copyOf(subtasks);
    pendingSubtasks = List.copyOf(pendingSubtasks);
  }
}
