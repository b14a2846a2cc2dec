package dev.weir.graph;

/** The job's definition is not a pipeline Weir can run; the message says why. */
public class InvalidJobException extends RuntimeException {
  public InvalidJobException(String message) {
    super(message);
  }

  public InvalidJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
