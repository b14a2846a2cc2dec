package dev.weir.operator.reconciler;

import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.JobObservation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One reconciliation of one StreamingJob: the freshly read resource, the status being edited, what
 * the coordinator said this round, and the clock reading. Lives on the reconciling thread only.
 */
final class JobRound {
  private static final int HISTORY = 10;
  private final StatusRecorder recorder;
  StreamingJob job;
  final StreamingJobStatus status;
  final Instant now;
  final CoordinatorClient coordinator;

  /** What the coordinator reported this round, or null (not asked, or see {@link #unobserved}). */
  JobObservation observation;

  /** Why there is no observation although one was expected. */
  String unobserved;

  /** The first problem the pod watch shows among the running job id's pods, or null. */
  PodHealth pods;

  JobRound(
      StreamingJob job,
      StreamingJobStatus status,
      Instant now,
      CoordinatorClient coordinator,
      StatusRecorder recorder) {
    this.job = job;
    this.status = status;
    this.now = now;
    this.coordinator = coordinator;
    this.recorder = recorder;
  }

  /** Writes the status now: everything after this call may rely on it being recorded. */
  void record() {
    StatusView.update(this); // phase and conditions always match the record they are written with
    job = recorder.record(job, status);
  }

  /** What this round saw, for the pure decisions. */
  Observed observed() {
    return new Observed(
        name(), job.getMetadata().getUid(), now, observation, unobserved, pods, null, null);
  }

  String now() {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  String namespace() {
    return job.getMetadata().getNamespace();
  }

  String name() {
    return job.getMetadata().getName();
  }

  long generation() {
    Long generation = job.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  boolean jobRunning() {
    return observed().jobRunning();
  }

  String describeJobState() {
    return observed().describeJobState();
  }

  /** Adds a savepoint or a savepoint failure to the history (newest first). */
  void remember(SavepointInfo info) {
    if (info.completed()) {
      status.lastSavepoint = info;
    }
    status.savepointHistory.add(0, info);
    while (status.savepointHistory.size() > HISTORY) {
      status.savepointHistory.remove(status.savepointHistory.size() - 1);
    }
  }
}
