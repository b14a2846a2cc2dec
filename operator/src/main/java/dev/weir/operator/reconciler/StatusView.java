package dev.weir.operator.reconciler;

import dev.weir.operator.api.CheckpointInfo;
import dev.weir.operator.api.JobPhase;
import dev.weir.operator.api.JobState;
import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeProgress;
import dev.weir.operator.coordinator.JobObservation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Derives the user-facing part of status (phase, conditions, job facts) from the record and this
 * round's observation. Pure: no I/O.
 */
final class StatusView {
  private StatusView() {}

  /** Copies what the coordinator reported into status. */
  static void observe(JobRound r) {
    StreamingJobStatus s = r.status;
    JobObservation o = r.observation;
    if (o == null) {
      if (r.unobserved != null) {
        s.jobStatus = "UNREACHABLE";
      }
      return;
    }
    s.jobStatus = o.status();
    s.parallelism = o.running() ? o.parallelism() : 0;
    if (o.latestCheckpoint() != null) {
      JobObservation.CheckpointSummary c = o.latestCheckpoint();
      s.lastCheckpoint =
          new CheckpointInfo(
              c.id(),
              Instant.ofEpochMilli(c.completionTimestampMs())
                  .truncatedTo(ChronoUnit.SECONDS)
                  .toString(),
              c.durationMs(),
              c.sizeBytes());
    }
  }

  static void update(JobRound r) {
    StreamingJobStatus s = r.status;
    long gen = r.generation();
    String now = r.now();
    UpgradeProgress u = s.upgrade;
    JobObservation o = r.observation;
    boolean failedJob = false;
    if (u != null) {
      switch (u.kind()) {
        case DEPLOY:
        case RESUME:
          s.phase = JobPhase.Deploying;
          break;
        case SUSPEND:
          s.phase = JobPhase.Suspending;
          break;
        case ROLLBACK:
          s.phase = JobPhase.RollingBack;
          break;
        default:
          s.phase = JobPhase.Upgrading;
      }
      String message =
          u.kind()
              + " to generation "
              + u.targetGeneration()
              + ": "
              + u.step()
              + (u.note() == null ? "" : "; " + u.note());
      Conditions.set(s.conditions, Conditions.READY, false, "Transition", message, gen, now);
      Conditions.set(
          s.conditions, Conditions.PROGRESSING, true, u.kind().name(), message, gen, now);
    } else if (s.deployedState == JobState.SUSPENDED || s.deployedState == null) {
      boolean suspended =
          r.job.getSpec().stateOrDefault() == JobState.SUSPENDED || s.deployedState != null;
      s.phase = suspended ? JobPhase.Suspended : JobPhase.Deploying;
      Conditions.set(
          s.conditions,
          Conditions.READY,
          false,
          suspended ? "Suspended" : "NotDeployed",
          suspended ? "suspended; no pods run" : "not deployed yet",
          gen,
          now);
      Conditions.set(s.conditions, Conditions.PROGRESSING, false, "Stable", "", gen, now);
    } else {
      Conditions.set(s.conditions, Conditions.PROGRESSING, false, "Stable", "", gen, now);
      if (o == null) {
        if (s.phase == null) {
          s.phase = JobPhase.Deploying;
        }
        Conditions.set(
            s.conditions,
            Conditions.READY,
            false,
            "CoordinatorUnreachable",
            r.unobserved + (r.pods == null ? "" : "; " + r.pods.message()),
            gen,
            now);
      } else {
        switch (o.status()) {
          case "RUNNING":
            s.phase = JobPhase.Running;
            if (r.pods != null) {
              // the pod watch saw it before the coordinator reported the loss
              Conditions.set(
                  s.conditions,
                  Conditions.READY,
                  false,
                  r.pods.reason(),
                  r.pods.message(),
                  gen,
                  now);
              break;
            }
            if (!Objects.equals(s.rolledBackGeneration, gen)) {
              s.error = null; // healthy again
            }
            Conditions.set(
                s.conditions,
                Conditions.READY,
                true,
                "JobRunning",
                "job " + o.jobId() + " running at parallelism " + o.parallelism(),
                gen,
                now);
            break;
          case "FINISHED":
            s.phase = JobPhase.Finished;
            Conditions.set(
                s.conditions,
                Conditions.READY,
                false,
                "JobFinished",
                "job " + o.jobId() + " finished",
                gen,
                now);
            break;
          case "CREATED":
            s.phase = JobPhase.Deploying;
            Conditions.set(
                s.conditions,
                Conditions.READY,
                false,
                "JobStarting",
                "job " + o.jobId() + " is starting",
                gen,
                now);
            break;
          case "RESTARTING":
            s.phase = JobPhase.Running;
            Conditions.set(
                s.conditions,
                Conditions.READY,
                false,
                "JobRestarting",
                "job "
                    + o.jobId()
                    + " is restarting after a failure"
                    + (o.failure() == null ? "" : ": " + o.failure())
                    + (r.pods == null ? "" : "; " + r.pods.message()),
                gen,
                now);
            break;
          default: // FAILED, CANCELLED
            failedJob = true;
            s.phase = JobPhase.Failed;
            s.error =
                "job "
                    + o.jobId()
                    + " is "
                    + o.status()
                    + (o.failure() == null ? "" : ": " + o.failure());
            Conditions.set(s.conditions, Conditions.READY, false, "JobFailed", s.error, gen, now);
        }
      }
    }
    if (s.savepointRequest != null && s.savepointRequest.trigger() == SavepointTrigger.DELETION) {
      // the StreamingJob is being deleted and waits for its final savepoint
      s.phase = JobPhase.Deleting;
      Conditions.set(
          s.conditions,
          Conditions.READY,
          false,
          "Deleting",
          "taking the final savepoint " + s.savepointRequest.requestId() + " before deletion",
          gen,
          now);
    }
    if (Objects.equals(s.rolledBackGeneration, gen)) {
      Conditions.set(
          s.conditions, Conditions.DEGRADED, true, "UpgradeRolledBack", s.error, gen, now);
    } else if (failedJob) {
      Conditions.set(s.conditions, Conditions.DEGRADED, true, "JobFailed", s.error, gen, now);
    } else if (u == null && s.error != null) {
      Conditions.set(
          s.conditions, Conditions.DEGRADED, true, "DeploymentFailed", s.error, gen, now);
    } else if (u == null
        && s.deployedState == JobState.RUNNING
        && o == null
        && r.unobserved != null) {
      Conditions.set(
          s.conditions,
          Conditions.DEGRADED,
          true,
          "CoordinatorUnreachable",
          r.unobserved,
          gen,
          now);
    } else {
      Conditions.set(s.conditions, Conditions.DEGRADED, false, "AsExpected", "", gen, now);
    }
    if (s.savepointRequest != null || (u != null && u.savepoint() != null)) {
      Conditions.set(
          s.conditions,
          Conditions.SAVEPOINT,
          false,
          "SavepointInProgress",
          "request "
              + (s.savepointRequest != null
                  ? s.savepointRequest.requestId()
                  : u.savepoint().requestId()),
          gen,
          now);
    } else if (!s.savepointHistory.isEmpty()) {
      SavepointInfo latest = s.savepointHistory.get(0);
      if (latest.completed()) {
        Conditions.set(
            s.conditions,
            Conditions.SAVEPOINT,
            true,
            "SavepointCompleted",
            latest.path(),
            gen,
            now);
      } else {
        Conditions.set(
            s.conditions,
            Conditions.SAVEPOINT,
            false,
            "SavepointFailed",
            latest.failure(),
            gen,
            now);
      }
    }
    s.observedGeneration = gen;
  }
}
