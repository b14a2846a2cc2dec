package dev.weir.stats;

/** Where one checkpoint is, as the statistics show it. */
public enum CheckpointStatus {
  /** Triggered; not every task has acknowledged it, or its metadata is being written. */
  IN_PROGRESS,
  /** Its metadata was written: it can be restored. */
  COMPLETED,
  /**
   * Expired, declined or its metadata could not be written: counts towards the tolerable checkpoint
   * failures.
   */
  FAILED,
  /**
   * Dropped without counting as a failure: subsumed by a newer completed checkpoint, or pending
   * when the job failed over or stopped.
   */
  ABORTED
}
