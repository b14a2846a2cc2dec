package dev.weir.runtime;

/** Where a job is in its life. */
public enum JobStatus {
  CREATED,
  RUNNING,
  RESTARTING,
  FINISHED,
  FAILED,
  CANCELLED;

  public boolean isTerminal() {
    return this == FINISHED || this == FAILED || this == CANCELLED;
  }
}
