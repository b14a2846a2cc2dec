package dev.weir.checkpoint;

/**
 * Counters and the latest outcomes of a job's checkpoints, as the checkpoint tab of a UI shows
 * them. Immutable; the coordinator publishes a new one after every change.
 */
public record CheckpointStats(
    long triggered,
    int inProgress,
    long completed,
    long failed,
    long restored,
    CompletedCheckpoint latestCompleted,
    String latestFailure) {

  public static final CheckpointStats EMPTY = new CheckpointStats(0, 0, 0, 0, 0, null, null);

  CheckpointStats withTriggered(int inProgress) {
    return new CheckpointStats(
        triggered + 1, inProgress, completed, failed, restored, latestCompleted, latestFailure);
  }

  CheckpointStats withCompleted(CompletedCheckpoint checkpoint, int inProgress) {
    return new CheckpointStats(
        triggered, inProgress, completed + 1, failed, restored, checkpoint, latestFailure);
  }

  CheckpointStats withFailed(String failure, int inProgress) {
    return new CheckpointStats(
        triggered, inProgress, completed, failed + 1, restored, latestCompleted, failure);
  }

  CheckpointStats withInProgress(int inProgress) {
    return new CheckpointStats(
        triggered, inProgress, completed, failed, restored, latestCompleted, latestFailure);
  }

  CheckpointStats withRestored() {
    return new CheckpointStats(
        triggered, inProgress, completed, failed, restored + 1, latestCompleted, latestFailure);
  }
}
