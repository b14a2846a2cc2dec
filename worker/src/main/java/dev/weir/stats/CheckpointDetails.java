package dev.weir.stats;

import java.util.List;

/**
 * One checkpoint as the statistics show it, with its breakdown per stage, subtask and operator;
 * immutable.
 *
 * @param finalCheckpoint the last checkpoint of a bounded job
 * @param savepoint a savepoint (canonical format, kept until disposed), not a checkpoint
 * @param latestAckTimestampMillis null while no task has acknowledged
 * @param completionTimestampMillis null unless completed
 * @param failureTimestampMillis null unless failed or aborted
 * @param endToEndDurationMillis completed: trigger to the last acknowledgement (Flink's "end to end
 *     duration"); failed or aborted: trigger to the failure; in progress: trigger to the latest ack
 *     (0 while none)
 * @param completionDurationMillis completed: trigger to the metadata written (the checkpoint is
 *     complete and durable from then on); null otherwise
 * @param stateSizeBytes completed: as the coordinator reported it; otherwise summed over the acks
 * @param path where the completed checkpoint's metadata is, null otherwise
 * @param failureReason a {@code CheckpointFailureReason} name, null unless failed or aborted
 * @param failureMessage what went wrong, null unless failed or aborted
 * @param stages by stage index
 * @param operators by uid
 * @param persistedInFlightBytes in-flight data persisted as channel state, summed over the acks
 * @param unaligned whether any subtask took this checkpoint unaligned (from the start, or after its
 *     alignment timed out)
 */
public record CheckpointDetails(
    long id,
    CheckpointStatus status,
    boolean finalCheckpoint,
    boolean savepoint,
    long triggerTimestampMillis,
    Long latestAckTimestampMillis,
    Long completionTimestampMillis,
    Long failureTimestampMillis,
    long endToEndDurationMillis,
    Long completionDurationMillis,
    int acknowledgedSubtasks,
    int totalSubtasks,
    long stateSizeBytes,
    long alignmentBufferedBytes,
    String path,
    String failureReason,
    String failureMessage,
    List<StageCheckpointStats> stages,
    List<OperatorCheckpointStats> operators,
    long persistedInFlightBytes,
    boolean unaligned) {

  public CheckpointDetails {
    stages = List.copyOf(stages);
    operators = List.copyOf(operators);
  }
}
