package dev.weir.runtime.io;

/** The task was cancelled while it waited (for a buffer, for input). */
public class TaskInterruptedException extends RuntimeException {
  public TaskInterruptedException() {
    super("task cancelled");
  }
}
