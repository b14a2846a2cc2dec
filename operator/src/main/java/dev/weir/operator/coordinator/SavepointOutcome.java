package dev.weir.operator.coordinator;

/** The state of one savepoint operation on the coordinator. */
public record SavepointOutcome(
    String requestId, State state, String path, long checkpointId, String failure) {

  /** Mirrors {@code SavepointOperation.State}. */
  public enum State {
    UNKNOWN,
    IN_PROGRESS,
    COMPLETED,
    FAILED
  }

  public static SavepointOutcome unknown(String requestId) {
    return new SavepointOutcome(requestId, State.UNKNOWN, null, 0, null);
  }
}
