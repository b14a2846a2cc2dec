package dev.weir.operator.coordinator;

/**
 * What the coordinator reports about its job.
 *
 * @param status CREATED, RUNNING, RESTARTING, FINISHED, FAILED or CANCELLED
 * @param latestCheckpoint null when none completed
 */
public record JobObservation(
    String jobId,
    String status,
    int parallelism,
    CheckpointSummary latestCheckpoint,
    String failure,
    String restoredFromPath) {

  public boolean running() {
    return "RUNNING".equals(status);
  }

  public boolean failed() {
    return "FAILED".equals(status);
  }

  /** The job ran to its end (a bounded job). */
  public boolean finished() {
    return "FINISHED".equals(status);
  }

  /** A completed checkpoint. */
  public record CheckpointSummary(
      long id, long completionTimestampMs, long durationMs, long sizeBytes, String path) {}
}
