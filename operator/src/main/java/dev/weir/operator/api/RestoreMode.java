package dev.weir.operator.api;

/** Where the next deployment takes its state from. */
public enum RestoreMode {
  /** A new job id restoring status.upgrade.savepointPath. */
  SAVEPOINT,
  /** The same job id: the coordinator restores its newest retained checkpoint. */
  LAST_STATE,
  /** A new job id without state. */
  NONE
}
