package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How state crosses a restart caused by a spec change. */
public enum UpgradeMode {
  /** Redeploy fresh: state is dropped. */
  @JsonProperty("stateless")
  STATELESS,
  /** Stop with a savepoint, redeploy as a new job restoring it. */
  @JsonProperty("savepoint")
  SAVEPOINT,
  /** Redeploy the same job id, restoring its newest retained checkpoint. */
  @JsonProperty("last-state")
  LAST_STATE
}
