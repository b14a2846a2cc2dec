package dev.weir.operator.reconciler;

import dev.weir.operator.api.JobState;
import dev.weir.operator.api.RestoreMode;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJobSpec;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeKind;
import dev.weir.operator.api.UpgradeMode;
import dev.weir.operator.api.UpgradeProgress;
import dev.weir.operator.api.UpgradeStep;
import dev.weir.operator.reconciler.TransitionPlan.Complete;
import dev.weir.operator.reconciler.TransitionPlan.Deploy;
import dev.weir.operator.reconciler.TransitionPlan.Fail;
import dev.weir.operator.reconciler.TransitionPlan.Proceed;
import dev.weir.operator.reconciler.TransitionPlan.RollBack;
import dev.weir.operator.reconciler.TransitionPlan.SavepointSettled;
import dev.weir.operator.reconciler.TransitionPlan.Start;
import dev.weir.operator.reconciler.TransitionPlan.Suspend;
import dev.weir.operator.reconciler.TransitionPlan.Wait;
import dev.weir.operator.resources.SpecCodec;
import java.time.Duration;
import java.util.Objects;

/**
 * Decides the transitions that move a job from what is deployed to its target (deploy, upgrade,
 * suspend, resume, rollback): which one the spec asks for ({@link #wanted}), how it starts ({@link
 * #begin}: job id, restore mode and path, savepoint request, first step) and what follows each step
 * ({@link #next}). A pure function of the transition kind, the target, the status (the write-ahead
 * log, which it reads and never changes) and the round's {@link Observed observation}; {@link
 * Transitions} carries the resulting {@link TransitionPlan} out.
 *
 * <p>The steps: SAVEPOINTING (the stop-with-savepoint of an upgrade or suspend in savepoint mode) →
 * STOPPING (the old pods go) → DEPLOYING (the target's objects, a new job id restoring the
 * savepoint, or the same job id restoring its newest checkpoint) → AWAITING_READY (the new job id
 * runs, or the upgrade is rolled back).
 */
final class TransitionPlanner {
  private static final Wait WAIT = new Wait();
  private final Duration defaultUpgradeTimeout;

  /**
   * @param defaultUpgradeTimeout readiness timeout of a transition whose spec sets none
   */
  TransitionPlanner(Duration defaultUpgradeTimeout) {
    this.defaultUpgradeTimeout = defaultUpgradeTimeout;
  }

  /**
   * What a transition is to reach: a spec (its JSON form) at a generation, running or suspended.
   *
   * @param why what asked for it (the start Event says it)
   */
  record Target(UpgradeKind kind, String spec, long generation, JobState state, String why) {}

  /**
   * The transition that {@code spec} asks for given what is deployed, or null. Called when no
   * transition and no manual savepoint is under way.
   */
  Target wanted(StreamingJobSpec spec, long generation, StreamingJobStatus s) {
    JobState wanted = spec.stateOrDefault();
    String desired = SpecCodec.toJson(spec);
    if (s.deployedState == null) {
      return wanted == JobState.RUNNING
          ? new Target(
              UpgradeKind.DEPLOY, desired, generation, JobState.RUNNING, "first deployment")
          : null;
    }
    if (s.deployedState == JobState.RUNNING && wanted == JobState.SUSPENDED) {
      return new Target(
          UpgradeKind.SUSPEND,
          s.deployedSpec,
          s.deployedGeneration,
          JobState.SUSPENDED,
          "state: suspended");
    }
    if (s.deployedState == JobState.SUSPENDED && wanted == JobState.RUNNING) {
      return new Target(
          UpgradeKind.RESUME, desired, generation, JobState.RUNNING, "state: running");
    }
    if (s.deployedState == JobState.RUNNING) {
      SpecDiff diff = SpecDiff.between(s.deployedSpec, desired);
      if (diff.needsRestart() && !Objects.equals(s.rolledBackGeneration, generation)) {
        return new Target(
            UpgradeKind.UPGRADE,
            desired,
            generation,
            JobState.RUNNING,
            "spec changed: "
                + String.join(", ", diff.restartFields())
                + " (upgradeMode "
                + spec.upgradeModeOrDefault().name().toLowerCase()
                + ")");
      }
    }
    return null;
  }

  /**
   * How a transition to {@code target} starts. Every start issues a job counter; the job id is a
   * fresh one unless the state crosses by the newest checkpoint (last-state: the same job id). In
   * savepoint mode an upgrade or suspend of a running job starts with a stop-with-savepoint; of a
   * job that is not running, it falls back to last-state and says why.
   */
  Start begin(Target target, StreamingJobStatus s, Observed o) {
    UpgradeKind kind = target.kind();
    StreamingJobSpec spec = SpecCodec.fromJson(target.spec());
    UpgradeMode mode = spec.upgradeModeOrDefault();
    int counter = (s.jobCounter == null ? 0 : s.jobCounter) + 1;
    String freshJobId = o.jobId(counter);
    RestoreMode restore;
    String jobId;
    String path = null;
    String skipped = null;
    UpgradeStep first;
    SavepointRequest savepoint = null;
    switch (kind) {
      case DEPLOY:
        path = spec.initialSavepointPath();
        restore = path == null ? RestoreMode.NONE : RestoreMode.SAVEPOINT;
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
      default: // UPGRADE, SUSPEND (a ROLLBACK is never started from a target, see rollBack)
        first = UpgradeStep.STOPPING;
        if (mode == UpgradeMode.STATELESS) {
          restore = RestoreMode.NONE;
          jobId = freshJobId;
        } else if (mode == UpgradeMode.LAST_STATE && kind == UpgradeKind.UPGRADE) {
          restore = RestoreMode.LAST_STATE;
          path = s.restoredFrom;
          jobId = s.jobId;
        } else if (o.jobRunning()) {
          restore = RestoreMode.SAVEPOINT;
          jobId = freshJobId;
          first = UpgradeStep.SAVEPOINTING;
          savepoint =
              new SavepointRequest(
                  s.jobId + "-" + kind.name().toLowerCase() + "-" + counter,
                  kind == UpgradeKind.SUSPEND ? SavepointTrigger.SUSPEND : SavepointTrigger.UPGRADE,
                  null,
                  true,
                  o.timestamp());
        } else {
          restore = RestoreMode.LAST_STATE;
          path = s.restoredFrom;
          jobId = s.jobId;
          skipped =
              "no savepoint: the job is "
                  + o.describeJobState()
                  + "; restoring the newest retained checkpoint of job "
                  + s.jobId;
        }
    }
    UpgradeProgress progress =
        new UpgradeProgress(
            kind,
            first,
            target.generation(),
            target.spec(),
            target.state(),
            restore,
            savepoint,
            path,
            jobId,
            o.timestamp(),
            o.timestamp(),
            skipped);
    return new Start(
        progress, counter, skipped, target.why() + " (restore: " + describeRestore(progress) + ")");
  }

  /**
   * What follows the recorded step ({@code s.upgrade}) given what it yielded: the savepoint's
   * verdict (SAVEPOINTING), whether the old pods are gone (STOPPING), the new job's state
   * (AWAITING_READY).
   */
  TransitionPlan next(StreamingJobStatus s, Observed o) {
    UpgradeProgress u = s.upgrade;
    switch (u.step()) {
      case SAVEPOINTING:
        return afterSavepoint(s, u, o);
      case STOPPING:
        return afterStopping(s, u, o);
      case DEPLOYING:
        return deploy(u, o);
      default:
        return awaitingReady(s, u, o);
    }
  }

  /** Completed: restore it. Failed or timed out: fall back to the newest checkpoint (same id). */
  private static TransitionPlan afterSavepoint(
      StreamingJobStatus s, UpgradeProgress u, Observed o) {
    SavepointVerdict verdict = o.savepoint();
    if (verdict == null || !verdict.settled()) {
      return WAIT;
    }
    String subject = "stop-with-savepoint of job " + s.jobId;
    if (verdict.completed()) {
      return new SavepointSettled(
          u.withSavepoint(null)
              .withRestore(RestoreMode.SAVEPOINT, verdict.path(), null)
              .withStep(UpgradeStep.STOPPING, o.timestamp()),
          verdict,
          subject,
          null);
    }
    String fallback = "restoring the newest retained checkpoint of job " + s.jobId;
    String note = "savepoint failed: " + verdict.failure() + "; " + fallback;
    return new SavepointSettled(
        u.withSavepoint(null)
            .withRestore(RestoreMode.LAST_STATE, s.restoredFrom, note)
            .withJobId(s.jobId)
            .withStep(UpgradeStep.STOPPING, o.timestamp()),
        verdict,
        subject,
        fallback);
  }

  private static TransitionPlan afterStopping(StreamingJobStatus s, UpgradeProgress u, Observed o) {
    if (!Boolean.TRUE.equals(o.podsGone())) {
      return WAIT;
    }
    if (u.targetState() == JobState.SUSPENDED) {
      String resume = u.restore() == RestoreMode.SAVEPOINT ? u.savepointPath() : null;
      return new Suspend(
          resume,
          "pods removed; resumes from "
              + (resume == null ? "the newest checkpoint of job " + s.jobId : resume));
    }
    return new Proceed(u.withStep(UpgradeStep.DEPLOYING, o.timestamp()));
  }

  private static TransitionPlan deploy(UpgradeProgress u, Observed o) {
    StreamingJobSpec spec = SpecCodec.fromJson(u.targetSpec());
    return new Deploy(
        spec,
        u.jobId(),
        u.restore() == RestoreMode.NONE ? null : u.savepointPath(),
        u.withStep(UpgradeStep.AWAITING_READY, o.timestamp()),
        "job "
            + u.jobId()
            + " at parallelism "
            + spec.parallelismOrDefault()
            + ", restore: "
            + describeRestore(u));
  }

  /**
   * Ready: the coordinator reports the new job id running at the target's parallelism, or finished
   * (a bounded job may run to its end before a round sees it running: it was deployed all the
   * same). Failed: the job reports FAILED, its pods crash-loop, or it is not Ready within the
   * upgrade timeout; then the upgrade is rolled back.
   */
  private TransitionPlan awaitingReady(StreamingJobStatus s, UpgradeProgress u, Observed o) {
    StreamingJobSpec spec = SpecCodec.fromJson(u.targetSpec());
    boolean ranToItsEnd = o.job() != null && o.job().finished();
    if (o.job() != null
        && u.jobId().equals(o.job().jobId())
        && (ranToItsEnd
            || o.jobRunning() && o.job().parallelism() == spec.parallelismOrDefault())) {
      return new Complete(
          u.kind() == UpgradeKind.ROLLBACK ? "RolledBack" : "JobRunning",
          "job "
              + u.jobId()
              + (ranToItsEnd
                  ? " ran to its end"
                  : " running at parallelism " + o.job().parallelism()));
    }
    Duration timeout = Durations.parse(spec.upgradeTimeout(), defaultUpgradeTimeout);
    boolean failed = o.job() != null && o.job().failed();
    boolean crashing = o.pods() != null && o.pods().crashLooping();
    if (!failed && !crashing && !o.olderThan(u.stepStartedAt(), timeout)) {
      return WAIT;
    }
    String reason =
        failed
            ? "the job failed: " + o.job().failure()
            : crashing
                ? "its pods fail at start"
                : "not Ready within " + timeout + " (job " + o.describeJobState() + ")";
    if (o.pods() != null) {
      reason += "; " + o.pods().message();
    }
    return rollBack(s, u, o, reason);
  }

  /**
   * After a failed transition: back to the stable spec when there is one to go back to (only an
   * upgrade has one), restoring the way the upgrade did: its savepoint (a fresh job id), or the
   * newest checkpoint of the same job id.
   */
  private static TransitionPlan rollBack(
      StreamingJobStatus s, UpgradeProgress u, Observed o, String reason) {
    boolean canRollBack =
        u.kind() == UpgradeKind.UPGRADE
            && s.stableSpec != null
            && !s.stableSpec.equals(u.targetSpec());
    if (!canRollBack) {
      return new Fail(
          u.kind().name().toLowerCase()
              + " of generation "
              + u.targetGeneration()
              + " failed: "
              + reason);
    }
    RestoreMode restore = u.restore();
    Integer counter = s.jobCounter;
    String jobId = s.jobId;
    if (restore != RestoreMode.LAST_STATE) {
      counter = (counter == null ? 0 : counter) + 1;
      jobId = o.jobId(counter);
    }
    UpgradeProgress back =
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
            o.timestamp(),
            o.timestamp(),
            reason);
    return new RollBack(
        back,
        counter,
        "upgrade to generation "
            + u.targetGeneration()
            + " failed: "
            + reason
            + "; rolled back to generation "
            + s.stableGeneration);
  }

  static String describeRestore(UpgradeProgress u) {
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
