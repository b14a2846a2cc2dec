package dev.weir.checkpoint;

/**
 * Counters and the latest outcomes of a job's checkpoints, as the checkpoint tab of a UI shows
 * them. Savepoints count as checkpoints in the counters; the latest completed checkpoint and the
 * latest savepoint are kept apart. Immutable; the coordinator publishes a new one after every
 * change.
 *
 * @param latestCompleted the latest completed checkpoint (not savepoint), or null
 * @param latestSavepoint the latest completed savepoint, or null
 */
public record CheckpointStats(
    long triggered,
    int inProgress,
    long completed,
    long failed,
    long restored,
    CompletedCheckpoint latestCompleted,
    CompletedCheckpoint latestSavepoint,
    String latestFailure) {

  public static final CheckpointStats EMPTY = new CheckpointStats(0, 0, 0, 0, 0, null, null, null);

  CheckpointStats withTriggered(int inProgress) {
    return new CheckpointStats(
        triggered + 1,
        inProgress,
        completed,
        failed,
        restored,
        latestCompleted,
        latestSavepoint,
        latestFailure);
  }

  CheckpointStats withCompleted(CompletedCheckpoint checkpoint, int inProgress) {
    return new CheckpointStats(
        triggered,
        inProgress,
        completed + 1,
        failed,
        restored,
        checkpoint.isSavepoint() ? latestCompleted : checkpoint,
        checkpoint.isSavepoint() ? checkpoint : latestSavepoint,
        latestFailure);
  }

  CheckpointStats withFailed(String failure, int inProgress) {
    return new CheckpointStats(
        triggered,
        inProgress,
        completed,
        failed + 1,
        restored,
        latestCompleted,
        latestSavepoint,
        failure);
  }

  CheckpointStats withInProgress(int inProgress) {
    return new CheckpointStats(
        triggered,
        inProgress,
        completed,
        failed,
        restored,
        latestCompleted,
        latestSavepoint,
        latestFailure);
  }

  CheckpointStats withRestored() {
    return new CheckpointStats(
        triggered,
        inProgress,
        completed,
        failed,
        restored + 1,
        latestCompleted,
        latestSavepoint,
        latestFailure);
  }
}
