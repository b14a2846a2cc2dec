package dev.weir.operator.reconciler;

import dev.weir.operator.api.JobState;
import dev.weir.operator.api.RestoreMode;
import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJobSpec;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeKind;
import dev.weir.operator.api.UpgradeMode;
import dev.weir.operator.api.UpgradeProgress;
import dev.weir.operator.api.UpgradeStep;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.SavepointOutcome;
import dev.weir.operator.resources.DeploymentPlan;
import dev.weir.operator.resources.JobObjectNames;
import dev.weir.operator.resources.SpecCodec;
import java.time.Duration;

/**
 * The state machine that moves a job from what is deployed to the target (deploy, upgrade, suspend,
 * resume, rollback): savepoint → stop → deploy → await ready. Every decision (job id, savepoint
 * request id, savepoint path, restore mode, next step) is recorded in {@code status.upgrade} before
 * the side effect it governs, and every side effect is idempotent, so an operator restarted
 * anywhere continues from status: one stop-with-savepoint per transition (the request id is
 * reused), one deployment per job id (server-side apply of the same objects).
 */
final class Transitions {
  private final JobWorkloads workloads;
  private final JobEvents events;
  private final OperatorSettings settings;
  private final OperatorMetrics metrics;

  Transitions(
      JobWorkloads workloads,
      JobEvents events,
      OperatorSettings settings,
      OperatorMetrics metrics) {
    this.workloads = workloads;
    this.events = events;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Records the start of a transition to {@code target} and runs its first steps. */
  void start(
      JobRound r,
      UpgradeKind kind,
      String targetSpec,
      long targetGeneration,
      JobState targetState,
      String why) {
    StreamingJobStatus s = r.status;
    StreamingJobSpec target = SpecCodec.fromJson(targetSpec);
    UpgradeMode mode = target.upgradeModeOrDefault();
    String freshJobId = nextJobId(r);
    RestoreMode restore;
    String jobId;
    String path = null;
    String note = null;
    UpgradeStep first;
    SavepointRequest savepoint = null;
    switch (kind) {
      case DEPLOY:
        restore = target.initialSavepointPath() == null ? RestoreMode.NONE : RestoreMode.SAVEPOINT;
        path = target.initialSavepointPath();
        jobId = freshJobId;
        first = UpgradeStep.DEPLOYING;
        break;
      case RESUME:
        first = UpgradeStep.DEPLOYING;
        if (s.resumeSavepoint != null) {
          restore = RestoreMode.SAVEPOINT;
          path = s.resumeSavepoint;
          jobId = freshJobId;
        } else if (mode == UpgradeMode.STATELESS) {
          restore = RestoreMode.NONE;
          jobId = freshJobId;
        } else {
          restore = RestoreMode.LAST_STATE;
          path = s.restoredFrom;
          jobId = s.jobId;
        }
        break;
      default: // UPGRADE, SUSPEND
        first = UpgradeStep.STOPPING;
        if (mode == UpgradeMode.STATELESS) {
          restore = RestoreMode.NONE;
          jobId = freshJobId;
        } else if (mode == UpgradeMode.LAST_STATE && kind == UpgradeKind.UPGRADE) {
          restore = RestoreMode.LAST_STATE;
          path = s.restoredFrom;
          jobId = s.jobId;
        } else if (r.jobRunning()) {
          restore = RestoreMode.SAVEPOINT;
          jobId = freshJobId;
          first = UpgradeStep.SAVEPOINTING;
          SavepointTrigger trigger =
              kind == UpgradeKind.SUSPEND ? SavepointTrigger.SUSPEND : SavepointTrigger.UPGRADE;
          savepoint =
              new SavepointRequest(
                  s.jobId + "-" + kind.name().toLowerCase() + "-" + s.jobCounter,
                  trigger,
                  null,
                  true,
                  r.now());
        } else {
          restore = RestoreMode.LAST_STATE;
          path = s.restoredFrom;
          jobId = s.jobId;
          note =
              "no savepoint: the job is "
                  + r.describeJobState()
                  + "; restoring the newest retained checkpoint of job "
                  + s.jobId;
          events.warning(r.job, "SavepointSkipped", note);
        }
    }
    s.upgrade =
        new UpgradeProgress(
            kind,
            first,
            targetGeneration,
            targetSpec,
            targetState,
            restore,
            savepoint,
            path,
            jobId,
            r.now(),
            r.now(),
            note);
    s.error = null;
    r.record();
    metrics.transitionStarted(kind);
    events.normal(
        r.job,
        kind.name().charAt(0) + kind.name().substring(1).toLowerCase() + "Started",
        why + " (restore: " + describeRestore(s.upgrade) + ")");
    advance(r);
  }

  /** Runs steps until one has to wait. */
  void advance(JobRound r) {
    for (int i = 0; i < 8 && r.status.upgrade != null; i++) {
      boolean moved;
      switch (r.status.upgrade.step()) {
        case SAVEPOINTING:
          moved = savepointing(r);
          break;
        case STOPPING:
          moved = stopping(r);
          break;
        case DEPLOYING:
          moved = deploying(r);
          break;
        default:
          moved = awaitingReady(r);
      }
      if (!moved) {
        return;
      }
    }
  }

  private boolean savepointing(JobRound r) {
    StreamingJobStatus s = r.status;
    UpgradeProgress u = s.upgrade;
    SavepointRequest request = u.savepoint();
    SavepointOutcome outcome = null;
    String unavailable = null;
    try {
      outcome = r.coordinator.savepoint(request.requestId());
      if (outcome.state() == SavepointOutcome.State.UNKNOWN) {
        outcome = r.coordinator.triggerSavepoint(request.requestId(), true);
        metrics.savepointTriggered(request.trigger());
      }
    } catch (CoordinatorUnavailableException e) {
      unavailable = e.getMessage();
    }
    if (outcome != null && outcome.state() == SavepointOutcome.State.COMPLETED) {
      r.remember(
          new SavepointInfo(outcome.path(), r.now(), request.trigger(), null, s.jobId, null));
      s.upgrade =
          u.withSavepoint(null)
              .withRestore(RestoreMode.SAVEPOINT, outcome.path(), null)
              .withStep(UpgradeStep.STOPPING, r.now());
      r.record(); // the path is in status before any pod is touched
      metrics.savepoint(request.trigger(), true);
      events.normal(
          r.job,
          "SavepointCompleted",
          "stop-with-savepoint of job " + s.jobId + ": " + outcome.path());
      return true;
    }
    boolean failed = outcome != null && outcome.state() == SavepointOutcome.State.FAILED;
    if (!failed && !r.olderThan(request.startedAt(), settings.savepointTimeout())) {
      return false;
    }
    String reason =
        failed
            ? outcome.failure()
            : "no result within "
                + settings.savepointTimeout()
                + (unavailable == null ? "" : " (" + unavailable + ")");
    r.remember(new SavepointInfo(null, r.now(), request.trigger(), null, s.jobId, reason));
    String note =
        "savepoint failed: "
            + reason
            + "; restoring the newest retained checkpoint of job "
            + s.jobId;
    s.upgrade =
        u.withSavepoint(null)
            .withRestore(RestoreMode.LAST_STATE, s.restoredFrom, note)
            .withJobId(s.jobId)
            .withStep(UpgradeStep.STOPPING, r.now());
    r.record();
    metrics.savepoint(request.trigger(), false);
    events.warning(r.job, "SavepointFailed", note);
    return true;
  }

  private boolean stopping(JobRound r) {
    StreamingJobStatus s = r.status;
    UpgradeProgress u = s.upgrade;
    workloads.deletePods(r.namespace(), r.name());
    if (!workloads.podsGone(r.namespace(), r.name())) {
      return false;
    }
    if (u.targetState() == JobState.SUSPENDED) {
      s.deployedState = JobState.SUSPENDED;
      s.resumeSavepoint = u.restore() == RestoreMode.SAVEPOINT ? u.savepointPath() : null;
      s.upgrade = null;
      s.parallelism = 0;
      s.jobStatus = null;
      r.record();
      metrics.transitionFinished(u.kind(), "completed");
      events.normal(
          r.job,
          "Suspended",
          "pods removed; resumes from "
              + (s.resumeSavepoint == null
                  ? "the newest checkpoint of job " + s.jobId
                  : s.resumeSavepoint));
      return false;
    }
    s.upgrade = u.withStep(UpgradeStep.DEPLOYING, r.now());
    r.record();
    return true;
  }

  private boolean deploying(JobRound r) {
    StreamingJobStatus s = r.status;
    UpgradeProgress u = s.upgrade;
    StreamingJobSpec spec = SpecCodec.fromJson(u.targetSpec());
    String path = u.restore() == RestoreMode.NONE ? null : u.savepointPath();
    workloads.apply(DeploymentPlan.of(r.job, spec, u.jobId(), path));
    s.jobId = u.jobId();
    s.restoredFrom = path;
    s.resumeSavepoint = null;
    s.deployedSpec = u.targetSpec();
    s.deployedGeneration = u.targetGeneration();
    s.deployedState = JobState.RUNNING;
    s.selector = JobObjectNames.workerSelector(r.name());
    s.upgrade = u.withStep(UpgradeStep.AWAITING_READY, r.now());
    r.record();
    events.normal(
        r.job,
        "Deployed",
        "job "
            + u.jobId()
            + " at parallelism "
            + spec.parallelismOrDefault()
            + ", restore: "
            + describeRestore(u));
    // the coordinator seen this round is the old one: readiness is judged from the next round on
    return false;
  }

  private boolean awaitingReady(JobRound r) {
    StreamingJobStatus s = r.status;
    UpgradeProgress u = s.upgrade;
    StreamingJobSpec spec = SpecCodec.fromJson(u.targetSpec());
    boolean ranToItsEnd = r.observation != null && r.observation.finished();
    if (r.observation != null
        && u.jobId().equals(r.observation.jobId())
        && (ranToItsEnd
            || r.jobRunning() && r.observation.parallelism() == spec.parallelismOrDefault())) {
      // a bounded job may finish before a round sees it running: it was deployed all the same
      s.stableSpec = u.targetSpec();
      s.stableGeneration = u.targetGeneration();
      s.upgrade = null;
      if (u.kind() != dev.weir.operator.api.UpgradeKind.ROLLBACK) {
        s.error = null;
      }
      r.record();
      metrics.transitionFinished(u.kind(), "completed");
      events.normal(
          r.job,
          u.kind() == UpgradeKind.ROLLBACK ? "RolledBack" : "JobRunning",
          "job "
              + u.jobId()
              + (ranToItsEnd
                  ? " ran to its end"
                  : " running at parallelism " + r.observation.parallelism()));
      return false;
    }
    Duration timeout = Durations.parse(spec.upgradeTimeout(), settings.defaultUpgradeTimeout());
    boolean failed = r.observation != null && r.observation.failed();
    boolean crashing = r.pods != null && r.pods.crashLooping();
    if (!failed && !crashing && !r.olderThan(u.stepStartedAt(), timeout)) {
      return false;
    }
    String reason =
        failed
            ? "the job failed: " + r.observation.failure()
            : crashing
                ? "its pods fail at start"
                : "not Ready within " + timeout + " (job " + r.describeJobState() + ")";
    if (r.pods != null) {
      reason += "; " + r.pods.message();
    }
    return rollBack(r, reason);
  }

  /** After a failed transition: back to the stable spec when there is one to go back to. */
  private boolean rollBack(JobRound r, String reason) {
    StreamingJobStatus s = r.status;
    UpgradeProgress u = s.upgrade;
    metrics.transitionFinished(u.kind(), "failed");
    boolean canRollBack =
        (u.kind() == UpgradeKind.UPGRADE)
            && s.stableSpec != null
            && !s.stableSpec.equals(u.targetSpec());
    if (!canRollBack) {
      s.upgrade = null;
      s.error =
          u.kind().name().toLowerCase()
              + " of generation "
              + u.targetGeneration()
              + " failed: "
              + reason;
      r.record();
      events.warning(r.job, "DeploymentFailed", s.error);
      return false;
    }
    s.rolledBackGeneration = u.targetGeneration();
    s.error =
        "upgrade to generation "
            + u.targetGeneration()
            + " failed: "
            + reason
            + "; rolled back to generation "
            + s.stableGeneration;
    RestoreMode restore = u.restore();
    String jobId = restore == RestoreMode.LAST_STATE ? s.jobId : nextJobId(r);
    s.upgrade =
        new UpgradeProgress(
            UpgradeKind.ROLLBACK,
            UpgradeStep.STOPPING,
            s.stableGeneration,
            s.stableSpec,
            JobState.RUNNING,
            restore,
            null,
            restore == RestoreMode.NONE ? null : u.savepointPath(),
            jobId,
            r.now(),
            r.now(),
            reason);
    r.record();
    metrics.transitionStarted(UpgradeKind.ROLLBACK);
    events.warning(r.job, "UpgradeRolledBack", s.error);
    return true;
  }

  private static String nextJobId(JobRound r) {
    StreamingJobStatus s = r.status;
    s.jobCounter = (s.jobCounter == null ? 0 : s.jobCounter) + 1;
    String uid = r.job.getMetadata().getUid();
    return r.name() + "-" + uid.substring(0, Math.min(8, uid.length())) + "-" + s.jobCounter;
  }

  private static String describeRestore(UpgradeProgress u) {
    switch (u.restore()) {
      case SAVEPOINT:
        return u.savepointPath() == null
            ? "savepoint to be taken"
            : "savepoint " + u.savepointPath();
      case LAST_STATE:
        return "newest checkpoint of job " + u.jobId();
      default:
        return "none (fresh state)";
    }
  }
}
