package dev.weir.operator.api;

/**
 * Steps of a transition from the deployed job to the target (deploy, upgrade, suspend, resume,
 * rollback). Each is recorded in status before its side effects start.
 */
public enum UpgradeStep {
  /** Stop-with-savepoint requested (status.upgrade.savepoint); waiting for its path. */
  SAVEPOINTING,
  /** Coordinator Deployment and worker StatefulSet deleted; waiting for their pods to be gone. */
  STOPPING,
  /** Applying the target's objects (job id and restore path already recorded). */
  DEPLOYING,
  /** Objects applied; waiting for the coordinator to report the new job running. */
  AWAITING_READY
}
