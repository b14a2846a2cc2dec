package dev.weir.runtime.task;

import dev.weir.checkpoint.TaskId;

/** What the job master hears from its tasks. Called from task threads. */
public interface TaskListener {
  /** A source has no more records and waits for the final checkpoint. */
  void sourceFinished(TaskId task);

  /** The task processed all its input and committed its output. */
  void taskFinished(TaskId task);

  void taskFailed(TaskId task, Throwable cause);
}
