package dev.weir.operator.coordinator;

/** The coordinator did not answer (no pod yet, restarting, network) or answered with an error. */
public final class CoordinatorUnavailableException extends RuntimeException {
  public CoordinatorUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
