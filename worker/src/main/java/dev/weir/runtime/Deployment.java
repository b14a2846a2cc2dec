package dev.weir.runtime;

import dev.weir.checkpoint.TaskGateway;
import dev.weir.checkpoint.TaskId;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The running tasks of one attempt of a job, wherever they run. */
public interface Deployment extends TaskGateway {
  /** Completes once every task was created and started (remote workers may take a while). */
  CompletableFuture<Void> started();

  Set<TaskId> sources();

  Set<TaskId> allTasks();

  /** Records read by all sources so far (for throughput displays). */
  long sourceRecords();

  /**
   * Looks up one key of a keyed state in {@code task}, which must own the query's key group. Any
   * thread. The future completes with a {@link StateQueryResult.Rejected} rather than
   * exceptionally; it may never complete when the task is stuck, so callers bound the wait (and may
   * complete the returned future themselves, e.g. with {@code orTimeout}, which releases what the
   * deployment holds for it).
   */
  CompletableFuture<StateQueryResult> queryState(TaskId task, StateQuery query);

  /** Stops every task and waits (bounded) until they stopped. Idempotent. */
  void cancel();
}
