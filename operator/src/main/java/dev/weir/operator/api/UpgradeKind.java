package dev.weir.operator.api;

/** Why a transition runs. */
public enum UpgradeKind {
  /** First deployment. */
  DEPLOY,
  /** A spec change that needs a restart. */
  UPGRADE,
  /** state: suspended. */
  SUSPEND,
  /** state: running after suspended. */
  RESUME,
  /** Back to the last stable spec after a failed upgrade. */
  ROLLBACK
}
