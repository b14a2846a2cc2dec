package dev.weir.checkpoint;

/** A savepoint (or checkpoint) that did not complete; the message says why. */
public final class SavepointFailedException extends Exception {
  public SavepointFailedException(String message) {
    super(message);
  }
}
