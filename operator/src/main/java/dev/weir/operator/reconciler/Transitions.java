package dev.weir.operator.reconciler;

import dev.weir.operator.api.JobState;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeKind;
import dev.weir.operator.api.UpgradeProgress;
import dev.weir.operator.reconciler.TransitionPlan.Complete;
import dev.weir.operator.reconciler.TransitionPlan.Deploy;
import dev.weir.operator.reconciler.TransitionPlan.Fail;
import dev.weir.operator.reconciler.TransitionPlan.Proceed;
import dev.weir.operator.reconciler.TransitionPlan.RollBack;
import dev.weir.operator.reconciler.TransitionPlan.SavepointSettled;
import dev.weir.operator.reconciler.TransitionPlan.Start;
import dev.weir.operator.reconciler.TransitionPlan.Suspend;
import dev.weir.operator.resources.DeploymentPlan;
import dev.weir.operator.resources.JobObjectNames;

/**
 * Carries out the plans of {@link TransitionPlanner} against the cluster and the coordinator. Each
 * round it carries out the step recorded in {@code status.upgrade} (the savepoint poll of
 * SAVEPOINTING, the deletion of the old workloads of STOPPING), asks the planner what follows from
 * what the step yielded, and writes the plan's status before the side effect it governs: the new
 * job id and the savepoint request before the request is sent, the savepoint path before any pod is
 * touched, the next step before it runs. Every side effect is idempotent (savepoint request ids,
 * server-side apply), so an operator restarted anywhere continues from status: one
 * stop-with-savepoint per transition, one deployment per job id. Used on the reconciling thread.
 */
final class Transitions {
  private final TransitionPlanner planner;
  private final SavepointStep savepoints;
  private final JobWorkloads workloads;
  private final JobEvents events;
  private final OperatorMetrics metrics;

  Transitions(
      TransitionPlanner planner,
      SavepointStep savepoints,
      JobWorkloads workloads,
      JobEvents events,
      OperatorMetrics metrics) {
    this.planner = planner;
    this.savepoints = savepoints;
    this.workloads = workloads;
    this.events = events;
    this.metrics = metrics;
  }

  /** Starts the transition the spec asks for, if any. */
  void startWanted(JobRound r) {
    TransitionPlanner.Target target = planner.wanted(r.job.getSpec(), r.generation(), r.status);
    if (target != null && carryOut(r, planner.begin(target, r.status, r.observed()))) {
      advance(r);
    }
  }

  /** Runs steps of the transition in progress until one has to wait. */
  void advance(JobRound r) {
    for (int i = 0; i < 8 && r.status.upgrade != null; i++) {
      if (!carryOut(r, planner.next(r.status, carryOutStep(r, r.status.upgrade)))) {
        return;
      }
    }
  }

  /** The recorded step's own side effect, and what it yields for the planner. */
  private Observed carryOutStep(JobRound r, UpgradeProgress u) {
    Observed observed = r.observed();
    switch (u.step()) {
      case SAVEPOINTING:
        return observed.withSavepoint(savepoints.poll(r.coordinator, u.savepoint(), r.now));
      case STOPPING:
        workloads.deletePods(r.namespace(), r.name());
        return observed.withPodsGone(workloads.podsGone(r.namespace(), r.name()));
      default:
        return observed;
    }
  }

  /**
   * Writes the plan's status, then tells it; true when the transition can go on this round. One
   * branch per kind of plan (a switch over the sealed interface once the build is on Java 21).
   */
  private boolean carryOut(JobRound r, TransitionPlan plan) {
    StreamingJobStatus s = r.status;
    UpgradeProgress u = s.upgrade;
    if (plan instanceof Start start) {
      UpgradeKind kind = start.progress().kind();
      if (start.savepointSkipped() != null) {
        events.warning(r.job, "SavepointSkipped", start.savepointSkipped());
      }
      s.jobCounter = start.jobCounter();
      s.upgrade = start.progress();
      s.error = null;
      r.record();
      metrics.transitionStarted(kind);
      events.normal(
          r.job,
          kind.name().charAt(0) + kind.name().substring(1).toLowerCase() + "Started",
          start.announcement());
      return true;
    }
    if (plan instanceof SavepointSettled settled) {
      s.upgrade = settled.next(); // the path (or the fallback) is in status before any pod goes
      savepoints.conclude(
          r, u.savepoint(), settled.verdict(), settled.subject(), settled.consequence());
      return true;
    }
    if (plan instanceof Proceed proceed) {
      s.upgrade = proceed.next();
      r.record();
      return true;
    }
    if (plan instanceof Suspend suspend) {
      s.deployedState = JobState.SUSPENDED;
      s.resumeSavepoint = suspend.resumeSavepoint();
      s.upgrade = null;
      s.parallelism = 0;
      s.jobStatus = null;
      r.record();
      metrics.transitionFinished(u.kind(), "completed");
      events.normal(r.job, "Suspended", suspend.message());
      return false;
    }
    if (plan instanceof Deploy deploy) {
      workloads.apply(
          DeploymentPlan.of(r.job, deploy.spec(), deploy.jobId(), deploy.restorePath()));
      s.jobId = deploy.jobId();
      s.restoredFrom = deploy.restorePath();
      s.resumeSavepoint = null;
      s.deployedSpec = u.targetSpec();
      s.deployedGeneration = u.targetGeneration();
      s.deployedState = JobState.RUNNING;
      s.selector = JobObjectNames.workerSelector(r.name());
      s.upgrade = deploy.next();
      r.record();
      events.normal(r.job, "Deployed", deploy.message());
      return false;
    }
    if (plan instanceof Complete complete) {
      s.stableSpec = u.targetSpec();
      s.stableGeneration = u.targetGeneration();
      s.upgrade = null;
      if (u.kind() != UpgradeKind.ROLLBACK) {
        s.error = null;
      }
      r.record();
      metrics.transitionFinished(u.kind(), "completed");
      events.normal(r.job, complete.event(), complete.message());
      return false;
    }
    if (plan instanceof RollBack rollBack) {
      metrics.transitionFinished(u.kind(), "failed");
      s.rolledBackGeneration = u.targetGeneration();
      s.error = rollBack.error();
      s.jobCounter = rollBack.jobCounter();
      s.upgrade = rollBack.rollback();
      r.record();
      metrics.transitionStarted(UpgradeKind.ROLLBACK);
      events.warning(r.job, "UpgradeRolledBack", rollBack.error());
      return true;
    }
    if (plan instanceof Fail fail) {
      metrics.transitionFinished(u.kind(), "failed");
      s.upgrade = null;
      s.error = fail.error();
      r.record();
      events.warning(r.job, "DeploymentFailed", fail.error());
      return false;
    }
    return false; // Wait
  }
}
