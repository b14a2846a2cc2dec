package dev.weir.stats;

import java.util.List;

/**
 * The checkpoint statistics of a job at one moment; immutable. Served as JSON at {@code
 * /api/v1/checkpoints} (see docs/observability.md).
 *
 * @param counts totals since the tracker was created
 * @param latestCompleted null before the first completed checkpoint
 * @param latestFailed null before the first failed one (aborted checkpoints are not failures)
 * @param latestSavepoint the latest completed savepoint, null when none completed
 * @param latestRestore null before the first restore
 * @param completedDurations over the completed checkpoints in {@code history}
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
