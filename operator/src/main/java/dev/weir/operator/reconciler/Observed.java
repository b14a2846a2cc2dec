package dev.weir.operator.reconciler;

import dev.weir.operator.coordinator.JobObservation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What one round saw of a StreamingJob, as the pure decisions ({@link TransitionPlanner}) take it:
 * the resource's identity, the time, the coordinator's report (or why there is none), the job's
 * pods, and what the recorded step yielded when it was carried out (the savepoint's verdict,
 * whether the old pods are gone). An immutable value.
 *
 * @param name the StreamingJob's name (fresh job ids start with it)
 * @param uid the StreamingJob's uid (fresh job ids carry its first 8 characters)
 * @param job what the coordinator reported, or null (not asked, or see {@code unobserved})
 * @param unobserved why there is no report although one was expected, or null
 * @param pods the first problem among the running job id's pods, or null
 * @param savepoint the verdict on the transition's savepoint (step SAVEPOINTING), or null
 * @param podsGone whether the old pods are gone (step STOPPING), or null
 */
record Observed(
    String name,
    String uid,
    Instant now,
    JobObservation job,
    String unobserved,
    PodHealth pods,
    SavepointVerdict savepoint,
    Boolean podsGone) {

  Observed withSavepoint(SavepointVerdict verdict) {
    return new Observed(name, uid, now, job, unobserved, pods, verdict, podsGone);
  }

  Observed withPodsGone(boolean gone) {
    return new Observed(name, uid, now, job, unobserved, pods, savepoint, gone);
  }

  /** The time as status records it (RFC 3339, whole seconds). */
  String timestamp() {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** True when {@code since} (RFC 3339; null counts as long ago) is more than {@code limit} ago. */
  boolean olderThan(String since, Duration limit) {
    return olderThan(since, limit, now);
  }

  static boolean olderThan(String since, Duration limit, Instant now) {
    return since == null || Instant.parse(since).plus(limit).isBefore(now);
  }

  boolean jobRunning() {
    return job != null && job.running();
  }

  String describeJobState() {
    if (job != null) {
      return job.status() + (job.failure() == null ? "" : " (" + job.failure() + ")");
    }
    return unobserved == null ? "not deployed" : unobserved;
  }

  /** The job id of the {@code counter}-th deployment of this StreamingJob. */
  String jobId(int counter) {
    return name + "-" + uid.substring(0, Math.min(8, uid.length())) + "-" + counter;
  }
}
