package dev.weir.operator.reconciler;

import dev.weir.operator.api.StreamingJobSpec;
import dev.weir.operator.api.UpgradeProgress;

/**
 * What a transition does next, as {@link TransitionPlanner} decides it from the target, the status
 * and the round's observation, without I/O. {@link Transitions} carries a plan out: it writes the
 * status the plan describes before the side effect that status governs, then tells it (metric,
 * Event). Each plan says whether the transition can go on in the same round.
 */
sealed interface TransitionPlan {

  /**
   * Begin a transition: record {@code progress} (its job id used job counter {@code jobCounter}),
   * then carry out its first step at once.
   *
   * @param savepointSkipped why no savepoint is taken although the upgrade mode asks for one, or
   *     null
   * @param announcement the message of the {@code <Kind>Started} Event
   */
  record Start(
      UpgradeProgress progress, int jobCounter, String savepointSkipped, String announcement)
      implements TransitionPlan {}

  /** Nothing can change before the next round: a savepoint, the old pods or the new job pending. */
  record Wait() implements TransitionPlan {}

  /**
   * The transition's savepoint has a verdict: record it with {@code next}, the step it leads to
   * (STOPPING, restoring the savepoint or, when it failed, the newest checkpoint), and go on.
   *
   * @param subject what the Event calls the savepoint
   * @param consequence what a failure means for the transition (the Event says it), or null
   */
  record SavepointSettled(
      UpgradeProgress next, SavepointVerdict verdict, String subject, String consequence)
      implements TransitionPlan {}

  /** The old pods are gone: record {@code next} (DEPLOYING) and go on. */
  record Proceed(UpgradeProgress next) implements TransitionPlan {}

  /**
   * The old pods are gone and the target is suspended: the transition ends.
   *
   * @param resumeSavepoint what the job resumes from, or null (its newest checkpoint)
   */
  record Suspend(String resumeSavepoint, String message) implements TransitionPlan {}

  /**
   * Apply the objects of {@code spec} as job id {@code jobId} restoring {@code restorePath} (null:
   * no savepoint), record the deployment and {@code next} (AWAITING_READY), then wait: the
   * coordinator seen this round is the old one.
   */
  record Deploy(
      StreamingJobSpec spec, String jobId, String restorePath, UpgradeProgress next, String message)
      implements TransitionPlan {}

  /**
   * The new job id runs at the target's parallelism (or ran to its end): the target becomes the
   * stable spec and the transition ends.
   *
   * @param event {@code JobRunning}, or {@code RolledBack} at the end of a rollback
   */
  record Complete(String event, String message) implements TransitionPlan {}

  /**
   * The upgrade failed: record the failure ({@code error}) and {@code rollback}, a transition back
   * to the stable spec from the upgrade's own savepoint or checkpoint (its job id used job counter
   * {@code jobCounter}), and go on with it.
   */
  record RollBack(UpgradeProgress rollback, Integer jobCounter, String error)
      implements TransitionPlan {}

  /**
   * The transition failed with nothing to go back to (a first deployment, a rollback): it ends with
   * {@code error}; the objects stay for inspection.
   */
  record Fail(String error) implements TransitionPlan {}
}
