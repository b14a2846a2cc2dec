package dev.weir.operator.api;

/** Why a savepoint was taken. */
public enum SavepointTrigger {
  /** A spec change in upgradeMode savepoint. */
  UPGRADE,
  /** state: suspended. */
  SUSPEND,
  /** The weir.dev/savepoint annotation got a new value. */
  ANNOTATION,
  /** spec.savepointTriggerNonce got a new value. */
  NONCE,
  /** The StreamingJob was deleted with savepointOnDeletion. */
  DELETION
}
