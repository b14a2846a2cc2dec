package dev.weir.checkpoint;

/** Why a checkpoint did not complete. One enum instead of exception subclasses. */
public enum CheckpointFailureReason {
  /** Not all acknowledgements arrived within the checkpoint timeout. */
  EXPIRED(true, "checkpoint expired before all tasks acknowledged"),
  /** A task could not take its snapshot (for example the upload to storage failed). */
  DECLINED(true, "a task declined the checkpoint"),
  /** Writing the checkpoint metadata failed. */
  FINALIZE_FAILED(true, "writing the checkpoint metadata failed"),
  /** A newer checkpoint completed first. */
  SUBSUMED(false, "subsumed by a newer completed checkpoint"),
  /** The job is failing over or stopping; pending checkpoints are dropped. */
  JOB_FAILOVER(false, "the job is restarting or stopping"),
  /** A stop-with-savepoint was triggered: the job's last snapshot is the savepoint. */
  STOPPING_WITH_SAVEPOINT(false, "given up for a stop-with-savepoint");

  private final boolean countsAsFailure;
  private final String message;

  CheckpointFailureReason(boolean countsAsFailure, String message) {
    this.countsAsFailure = countsAsFailure;
    this.message = message;
  }

  /** Whether this reason counts towards the tolerable checkpoint failure number. */
  public boolean countsAsFailure() {
    return countsAsFailure;
  }

  public String message() {
    return message;
  }
}
