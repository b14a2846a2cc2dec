package dev.weir.operator.coordinator;

/**
 * The operator's view of one job's coordinator (its gRPC {@code JobService}). Every call either
 * answers or throws {@link CoordinatorUnavailableException}; none blocks longer than the client's
 * deadline. Savepoint calls are idempotent by request id on the coordinator's side.
 */
public interface CoordinatorClient {

  JobObservation jobStatus();

  /** Starts a savepoint (stop: stop-with-savepoint) or returns the one with this request id. */
  SavepointOutcome triggerSavepoint(String requestId, boolean stop);

  /**
   * The savepoint started with this request id; state UNKNOWN when the coordinator never saw it.
   */
  SavepointOutcome savepoint(String requestId);

  void disposeSavepoint(String path);
}
