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

  /**
   * Asks the coordinator to tell each change of its job's state (status, attempt, failure): {@code
   * onChange} runs at once and then on every change, on a client thread, until the returned handle
   * is closed or the stream ends, when {@code onEnd} runs once. Without such a stream (a fake, an
   * old coordinator) nothing is told and the caller's poll alone observes the job.
   */
  default Watch watch(Runnable onChange, Runnable onEnd) {
    return () -> {};
  }

  /** An open stream of job-state changes; closing it cancels the stream. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}
