package dev.weir.net;

/** A task on a worker failed; the message is the worker's description of the cause. */
public class RemoteTaskException extends RuntimeException {
  public RemoteTaskException(String message) {
    super(message);
  }
}
