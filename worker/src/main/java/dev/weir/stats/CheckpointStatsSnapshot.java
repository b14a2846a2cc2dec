package dev.weir.stats;

import java.util.List;

/**
 * The checkpoint statistics of a job at one moment, as {@link CheckpointStatsTracker} publishes
 * them; immutable. What every reader shows: the gRPC JobService (counts, latest completed
 * checkpoint and savepoint, latest failure), the HTTP endpoints (its components are the JSON at
 * {@code /api/v1/checkpoints}, see docs/observability.md; the status page; /metrics) and the
 * console.
 *
 * @param counts totals since the tracker was created
 * @param latestCompleted null before the first completed checkpoint
 * @param latestFailed null before the first failed one (aborted checkpoints are not failures)
 * @param latestSavepoint the latest completed savepoint, null when none completed
 * @param latestRestore null before the first restore
 * @param completedDurations end-to-end durations (trigger to the last acknowledgement) of the
 *     completed checkpoints in {@code history}
 * @param historyLimit how many checkpoints {@code history} keeps at most (in-progress ones are
 *     never dropped)
 * @param history newest first
 */
public record CheckpointStatsSnapshot(
    CheckpointCounts counts,
    CheckpointDetails latestCompleted,
    CheckpointDetails latestFailed,
    CheckpointDetails latestSavepoint,
    RestoreDetails latestRestore,
    DurationPercentiles completedDurations,
    int historyLimit,
    List<CheckpointDetails> history) {

  public CheckpointStatsSnapshot {
    history = List.copyOf(history);
  }

  /**
   * Percentiles of the completion durations (trigger to the metadata written) of the completed
   * checkpoints in {@code history}; {@link #completedDurations} measures to the last
   * acknowledgement instead. Derived, and not part of the JSON.
   */
  public DurationPercentiles completionDurations() {
    return DurationPercentiles.of(
        history.stream()
            .filter(c -> c.status() == CheckpointStatus.COMPLETED)
            .mapToLong(CheckpointDetails::completionDurationMillis)
            .toArray());
  }

  /** No checkpoint yet. */
  public static CheckpointStatsSnapshot empty(int historyLimit) {
    return new CheckpointStatsSnapshot(
        CheckpointCounts.ZERO,
        null,
        null,
        null,
        null,
        DurationPercentiles.NONE,
        historyLimit,
        List.of());
  }
}
