package dev.weir.runtime.task;

import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.runtime.io.TaskInterruptedException;
import dev.weir.state.SnapshotType;
import dev.weir.storage.StorageException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One subtask of one stage, on its own thread. Everything that touches the operators runs on that
 * thread: records, and actions posted to the mailbox by the coordinator (trigger, notify, abort,
 * state queries). Subclasses supply the loop that pulls records (from a source or from input
 * channels).
 */
public abstract class Task implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Task.class);

  protected final TaskContext context;
  protected final LinkedBlockingQueue<Runnable> mailbox = new LinkedBlockingQueue<>();
  protected OperatorChain chain;
  protected RecordWriter writer;

  /** Set once input is exhausted and the final barrier went out; done when it commits. */
  protected boolean finishing;

  protected long finalCheckpointId = Long.MAX_VALUE;
  protected long lastCompletedCheckpointId = -1;
  protected boolean done;
  private volatile boolean cancelled;
  private volatile boolean restoring = true;
  // set once the thread stops draining the mailbox: queries posted after that are answered here
  private volatile boolean ended;
  private volatile long recordsProcessed;
  private Thread thread;

  protected Task(TaskContext context) {
    this.context = context;
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

  /** Builds the operator chain (restoring state) and the writer. */
  protected abstract void initialize() throws Exception;

  /** Pulls and processes records until {@link #done}. */
  protected abstract void loop() throws Exception;

  @Override
  public final void run() {
    MDC.put("task", context.id().toString());
    try {
      initialize();
      restoring = false;
      loop();
      if (!cancelled) {
        context.listener().taskFinished(context.id());
      }
    } catch (Throwable t) {
      if (!cancelled && !(t instanceof TaskInterruptedException)) {
        Throwable cause = restoring ? new TaskRestoreException(context.id(), t) : t;
        context.listener().taskFailed(context.id(), cause);
      }
    } finally {
      ended = true;
      rejectPendingQueries();
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

  // ---- checkpoint protocol, coordinator side (any thread) ----

  public void notifyCheckpointComplete(long checkpointId) {
    post(() -> onCheckpointComplete(checkpointId));
  }

  public void notifyCheckpointAborted(long checkpointId) {
    post(() -> onCheckpointAborted(checkpointId));
  }

  protected void onCheckpointAborted(long checkpointId) {}

  /** Called on the task thread when a checkpoint completed, before this task may be done. */
  protected void beforeCheckpointComplete(long checkpointId) {}

  private void onCheckpointComplete(long checkpointId) {
    try {
      chain.notifyCheckpointComplete(checkpointId);
    } catch (Exception e) {
      throw new UserFunctionException("sink", e);
    }
    lastCompletedCheckpointId = Math.max(lastCompletedCheckpointId, checkpointId);
    beforeCheckpointComplete(checkpointId);
    if (finishing && checkpointId >= finalCheckpointId) {
      done = true;
    }
  }

  /** Input ended: done now if the final checkpoint already completed (or none reached us). */
  protected void finishIfCommitted() {
    finishing = true;
    if (finalCheckpointId == Long.MAX_VALUE || lastCompletedCheckpointId >= finalCheckpointId) {
      done = true;
    }
  }

  /**
   * Takes this task's snapshot: the synchronous part now, on the task thread, then forwards the
   * barrier; the upload runs on the async executor and ends in an ack or a decline.
   *
   * @return false when the synchronous part failed (the checkpoint was declined)
   */
  protected boolean performCheckpoint(
      long checkpointId,
      long timestampMillis,
      boolean isFinal,
      SnapshotType type,
      long alignmentNanos) {
    long start = System.nanoTime();
    OperatorChain.PendingSnapshot pending;
    try {
      pending = chain.snapshotSync(checkpointId, type);
    } catch (Exception e) {
      LOG.warn("{} {} declined: {}", describe(type), checkpointId, e.toString());
      context.responder().decline(context.id(), checkpointId, e.toString());
      if (writer != null) {
        writer.broadcast(new ChannelEvent.CancelCheckpoint(checkpointId));
      }
      if (isFinal && type == SnapshotType.CHECKPOINT) {
        // the sources already ended their output: this attempt cannot take another one
        throw new IllegalStateException("the final checkpoint failed: " + e, e);
      }
      return false;
    }
    if (writer != null) {
      writer.broadcast(
          new ChannelEvent.CheckpointBarrier(checkpointId, timestampMillis, isFinal, type));
    }
    if (isFinal) {
      finalCheckpointId = checkpointId;
    }
    long syncNanos = System.nanoTime() - start;
    context
        .asyncExecutor()
        .execute(
            () -> {
              long asyncStart = System.nanoTime();
              try {
                Map<String, SubtaskSnapshot> operators = pending.complete();
                context
                    .responder()
                    .acknowledge(
                        new TaskSnapshot(
                            context.id(),
                            checkpointId,
                            operators,
                            sizeOf(operators),
                            alignmentNanos,
                            syncNanos,
                            System.nanoTime() - asyncStart));
              } catch (Exception e) {
                pending.discard();
                LOG.warn("checkpoint {} upload failed: {}", checkpointId, describe(e));
                context.responder().decline(context.id(), checkpointId, describe(e));
              }
            });
    return true;
  }

  private static String describe(SnapshotType type) {
    return type == SnapshotType.SAVEPOINT ? "savepoint" : "checkpoint";
  }

  private static String describe(Exception e) {
    return e instanceof StorageException ? e.getMessage() : e.toString();
  }

  private static long sizeOf(Map<String, SubtaskSnapshot> operators) {
    long size = 0;
    for (SubtaskSnapshot s : operators.values()) {
      for (KeyedStateHandle h : s.getKeyedStateList()) {
        for (StateFile f : h.getFilesList()) {
          size += f.getSize();
        }
      }
      for (OperatorStateHandle h : s.getOperatorStateList()) {
        for (var entry : h.getEntriesList()) {
          size += entry.size();
        }
      }
    }
    return size;
  }
}
