package dev.weir.query;

import java.util.concurrent.CompletableFuture;

/**
 * Answers state queries of a running job by their text form (what HTTP and the CLI send). The
 * future always completes, with a {@link StateQueryResult.Rejected} rather than exceptionally, and
 * within the implementation's timeout.
 */
@FunctionalInterface
public interface QueryableState {
  CompletableFuture<StateQueryResult> query(String operatorUid, String stateName, String key);

  /** For a server without a job: every query is rejected as unavailable. */
  static QueryableState unavailable() {
    return (operator, state, key) ->
        CompletableFuture.completedFuture(
            new StateQueryResult.Rejected(
                StateQueryResult.Reason.UNAVAILABLE, "no job answers state queries here"));
  }
}
