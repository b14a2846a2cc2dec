package dev.weir.web;

import dev.weir.runtime.JobStatus;

/**
 * What the coordinator shows about its job at one moment; immutable. Served as JSON at {@code
 * /api/v1/job}.
 *
 * @param attempt 0 for the first deployment, one more for each restart; -1 before the first
 * @param recordsInPerSecond records read by the sources per second, or null when not measured
 * @param recordsOutPerSecond records written by the sinks per second, or null when not measured
 */
public record JobOverview(
    String jobName,
    JobStatus status,
    int attempt,
    int parallelism,
    Double recordsInPerSecond,
    Double recordsOutPerSecond) {

  public JobOverview {
    // JSON has no NaN or infinity: an unmeasurable rate is no rate
    recordsInPerSecond = finiteOrNull(recordsInPerSecond);
    recordsOutPerSecond = finiteOrNull(recordsOutPerSecond);
  }

  /** Restarts so far: the attempt number, 0 before the first deployment. */
  public int restarts() {
    return Math.max(0, attempt);
  }

  private static Double finiteOrNull(Double value) {
    return value == null || !Double.isFinite(value) ? null : value;
  }
}
