package dev.weir.runtime.task;

import dev.weir.checkpoint.TaskId;

/** A task failed while restoring its state, before it processed any record. */
public class TaskRestoreException extends RuntimeException {
  public TaskRestoreException(TaskId task, Throwable cause) {
    super(task + " could not restore its state: " + cause.getMessage(), cause);
  }
}
