package dev.weir.operator.api;

/** Where the job is in its life, as the operator last saw it. */
public enum JobPhase {
  /** Objects are being created, or the coordinator has not reported the job running yet. */
  Deploying,
  /** The coordinator reports the job running at the desired parallelism. */
  Running,
  /** A spec change is being applied (savepoint, stop, redeploy, restore). */
  Upgrading,
  /** An upgrade did not become ready; the last stable spec is being restored. */
  RollingBack,
  /** The job is being stopped with a savepoint on request (state: suspended). */
  Suspending,
  /** No pods run; the job resumes from its savepoint when state is set back to running. */
  Suspended,
  /** The job finished (bounded input). */
  Finished,
  /** The job failed and the operator cannot recover it without a spec change. */
  Failed,
  /** The StreamingJob is being deleted. */
  Deleting
}
