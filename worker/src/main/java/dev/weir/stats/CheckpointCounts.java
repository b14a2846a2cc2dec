package dev.weir.stats;

/**
 * Totals since the tracker was created (immutable); not bounded by the history. {@code triggered}
 * equals {@code inProgress + completed + failed + aborted}.
 */
public record CheckpointCounts(
    long triggered, int inProgress, long completed, long failed, long aborted, long restored) {

  public static final CheckpointCounts ZERO = new CheckpointCounts(0, 0, 0, 0, 0, 0);
}
