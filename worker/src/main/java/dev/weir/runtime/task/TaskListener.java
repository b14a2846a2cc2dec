package dev.weir.runtime.task;

import dev.weir.checkpoint.TaskId;
import dev.weir.failure.FailureKind;

/** What the job master hears from its tasks. Called from task threads. */
public interface TaskListener {
  /** A source has no more records and waits for the final checkpoint. */
  void sourceFinished(TaskId task);

  /** The task processed all its input and committed its output. */
  void taskFinished(TaskId task);

  /**
   * The task failed; {@code kind} is what its cause states ({@link FailureKind#of}), not a guess
   * from what the task was doing.
   */
  void taskFailed(TaskId task, FailureKind kind, Throwable cause);
}
