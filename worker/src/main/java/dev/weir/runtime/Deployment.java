package dev.weir.runtime;

import dev.weir.checkpoint.TaskGateway;
import dev.weir.checkpoint.TaskId;
import java.util.Set;

/** The running tasks of one attempt of a job, wherever they run. */
public interface Deployment extends TaskGateway {
  /** Completes once every task was created and started (remote workers may take a while). */
  java.util.concurrent.CompletableFuture<Void> started();

  Set<TaskId> sources();

  Set<TaskId> allTasks();

  /** Records read by all sources so far (for throughput displays). */
  long sourceRecords();

  /** Stops every task and waits (bounded) until they stopped. Idempotent. */
  void cancel();
}
