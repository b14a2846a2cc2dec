package dev.weir.stats;

import java.util.Arrays;

/**
 * Percentiles of end-to-end durations (nearest-rank: the smallest value that at least p percent of
 * the values do not exceed). All zero when {@code count} is 0. Immutable.
 */
public record DurationPercentiles(int count, long p50Millis, long p99Millis, long maxMillis) {

  public static final DurationPercentiles NONE = new DurationPercentiles(0, 0, 0, 0);

  /** Percentiles of the given durations; the array is sorted in place. */
  static DurationPercentiles of(long[] durationsMillis) {
    if (durationsMillis.length == 0) {
      return NONE;
    }
    Arrays.sort(durationsMillis);
    return new DurationPercentiles(
        durationsMillis.length,
        nearestRank(durationsMillis, 50),
        nearestRank(durationsMillis, 99),
        durationsMillis[durationsMillis.length - 1]);
  }

  private static long nearestRank(long[] sorted, int percent) {
    // rank = ceil(percent/100 * n), 1-based; integer arithmetic avoids rounding surprises
    int rank = (int) ((percent * (long) sorted.length + 99) / 100);
    return sorted[Math.max(rank, 1) - 1];
  }
}
