package dev.weir.runtime.task;

import dev.weir.failure.FailureKind;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.runtime.io.TaskInterruptedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.MDC;

/**
 * One subtask of one stage, on its own thread. Everything that touches the operators runs on that
 * thread: records, and actions posted to the mailbox by the coordinator (trigger, notify, abort,
 * state queries). Subclasses supply the loop that pulls records (from a source or from input
 * channels); the checkpoint protocol is the {@link SubtaskCheckpointCoordinator}'s, which the task
 * thread drives.
 *
 * <p>Threading: the task thread owns every field but the mailbox and the volatile flags; other
 * threads only post to the mailbox ({@link #post}), cancel, and read the published counters.
 */
public abstract class Task implements Runnable {
  protected final TaskContext context;
  protected final LinkedBlockingQueue<Runnable> mailbox = new LinkedBlockingQueue<>();

  /** The output to the next stage; null when the chain ends in a sink. */
  protected final RecordWriter writer;

  /** The task side of the checkpoint protocol; takes the chain over once it is restored. */
  protected final SubtaskCheckpointCoordinator checkpoints;

  protected OperatorChain chain;

  /** Set once this task's output ended; done once the final checkpoint (if any) committed. */
  protected boolean finishing;

  protected boolean done;
  private volatile boolean cancelled;
  // set once the thread stops draining the mailbox: queries posted after that are answered here
  private volatile boolean ended;
  private volatile long recordsProcessed;
  private Thread thread;

  /**
   * @param writer the output to the next stage, or null when the chain ends in a sink
   * @param hasInputs whether the task reads input channels
   */
  protected Task(TaskContext context, RecordWriter writer, boolean hasInputs) {
    this.context = context;
    this.writer = writer;
    this.checkpoints = new SubtaskCheckpointCoordinator(context, writer, hasInputs);
  }

  public dev.weir.checkpoint.TaskId id() {
    return context.id();
  }

  public void start() {
    thread = new Thread(this, "task-" + context.id());
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the task at its next wait or record; operators are closed, nothing is committed. */
  public void cancel() {
    cancelled = true;
    if (thread != null) {
      thread.interrupt();
    }
    wakeUp();
  }

  public void awaitTermination(long millis) throws InterruptedException {
    if (thread != null) {
      thread.join(millis);
    }
  }

  public boolean isAlive() {
    return thread != null && thread.isAlive();
  }

  /** Records this task processed (read from its input or source), published every batch. */
  public long recordsProcessed() {
    return recordsProcessed;
  }

  protected void publishRecords(long total) {
    recordsProcessed = total;
  }

  /** Runs {@code action} on the task thread. Any thread. */
  protected void post(Runnable action) {
    mailbox.add(action);
    wakeUp();
  }

  /** Wakes the task thread if it is waiting for input. */
  protected abstract void wakeUp();

  /** Builds the operator chain (restoring state) and hands it to {@link #checkpoints}. */
  protected abstract void initialize() throws Exception;

  /** Pulls and processes records until {@link #done}. */
  protected abstract void loop() throws Exception;

  @Override
  public final void run() {
    MDC.put("task", context.id().toString());
    try {
      initialize();
      loop();
      if (!cancelled) {
        context.listener().taskFinished(context.id());
      }
    } catch (Throwable t) {
      if (!cancelled && !(t instanceof TaskInterruptedException)) {
        context.listener().taskFailed(context.id(), FailureKind.of(t), t);
      }
    } finally {
      ended = true;
      rejectPendingQueries();
      checkpoints.close();
      if (writer != null) {
        writer.close();
      }
      if (chain != null) {
        chain.close();
      }
      MDC.clear();
    }
  }

  protected void checkCancelled() {
    if (cancelled || Thread.currentThread().isInterrupted()) {
      throw new TaskInterruptedException();
    }
  }

  /** Runs every action waiting in the mailbox. */
  protected void drainMailbox() {
    Runnable action;
    while ((action = mailbox.poll()) != null) {
      action.run();
    }
  }

  // ---- state queries (any thread) ----

  /**
   * Looks up one key of a keyed state of this task's operators on the task thread, between two
   * records, without changing any state. Any thread. The future completes once the task gets to its
   * mailbox (the caller bounds the wait), or at once with {@link
   * StateQueryResult.Reason#UNAVAILABLE} when the task has ended.
   */
  public CompletableFuture<StateQueryResult> queryState(StateQuery query) {
    StateQueryAction action = new StateQueryAction(query);
    post(action);
    if (ended) {
      // the thread may have looked at the mailbox for the last time before the action arrived
      action.reject();
    }
    return action.result;
  }

  private void rejectPendingQueries() {
    for (Runnable action : mailbox) {
      if (action instanceof StateQueryAction query) {
        query.reject();
      }
    }
  }

  /** A query waiting in the mailbox; answered on the task thread or rejected once it ended. */
  private final class StateQueryAction implements Runnable {
    final StateQuery query;
    final CompletableFuture<StateQueryResult> result = new CompletableFuture<>();

    StateQueryAction(StateQuery query) {
      this.query = query;
    }

    @Override
    public void run() {
      try {
        result.complete(
            chain == null
                ? new StateQueryResult.Rejected(
                    StateQueryResult.Reason.UNAVAILABLE,
                    "task " + context.id() + " has not restored its state yet")
                : chain.queryState(query));
      } catch (RuntimeException e) {
        result.complete(
            new StateQueryResult.Rejected(
                StateQueryResult.Reason.FAILED, "task " + context.id() + ": " + e));
      }
    }

    void reject() {
      result.complete(
          new StateQueryResult.Rejected(
              StateQueryResult.Reason.UNAVAILABLE,
              "task " + context.id() + " is no longer running"));
    }
  }

  // ---- checkpoint protocol: the coordinator's notifications (any thread) ----

  public void notifyCheckpointComplete(long checkpointId) {
    post(() -> onCheckpointComplete(checkpointId));
  }

  public void notifyCheckpointAborted(long checkpointId) {
    checkpoints.cancelUpload(checkpointId);
    post(() -> onCheckpointAborted(checkpointId));
  }

  private void onCheckpointComplete(long checkpointId) {
    checkpoints.notifyCheckpointComplete(checkpointId);
    afterCheckpointComplete(checkpointId);
    if (finishing && !checkpoints.awaitsFinalCheckpoint()) {
      done = true;
    }
  }

  private void onCheckpointAborted(long checkpointId) {
    afterCheckpointAborted(checkpointId);
    if (checkpoints.notifyCheckpointAborted(checkpointId, finishing)) {
      finalCheckpointAborted();
    }
  }

  /** Task thread: a checkpoint completed and was committed, before this task may be done. */
  protected void afterCheckpointComplete(long checkpointId) {}

  /** Task thread: the coordinator aborted a checkpoint. */
  protected void afterCheckpointAborted(long checkpointId) {}

  /** Task thread: the stop-with-savepoint this task stopped for failed; the job goes on. */
  protected void finalCheckpointAborted() {}

  /** Input ended: done now if the final checkpoint already completed (or none reached us). */
  protected void finishIfCommitted() {
    finishing = true;
    if (!checkpoints.awaitsFinalCheckpoint()) {
      done = true;
    }
  }
}
