package dev.weir.runtime.task;

import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.failure.FailureKind;
import dev.weir.proto.ChannelStateHandle;
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
import dev.weir.state.StateRestoreException;
import dev.weir.storage.StorageException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
  // set once the thread stops draining the mailbox: queries posted after that are answered here
  private volatile boolean ended;
  private volatile long recordsProcessed;
  private Thread thread;

  /**
   * The unaligned checkpoint whose snapshot is taken while its in-flight input is still being
   * captured; acknowledged once that is done. Task thread only.
   */
  private InFlightSnapshot inFlight;

  /** Snapshots being uploaded, by checkpoint id: an abort cancels them. */
  private final Map<Long, OperatorChain.PendingSnapshot> uploading = new ConcurrentHashMap<>();

  private record InFlightSnapshot(
      long checkpointId,
      OperatorChain.PendingSnapshot pending,
      ChannelStateWriter channelState,
      long alignmentNanos,
      long syncNanos) {}

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
      if (inFlight != null) {
        inFlight.pending().discard();
        inFlight = null;
      }
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
    OperatorChain.PendingSnapshot upload = uploading.get(checkpointId);
    if (upload != null) {
      upload.cancel(); // frees the upload thread (and its CPU) for what comes next
    }
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
    return performCheckpoint(checkpointId, timestampMillis, isFinal, type, alignmentNanos, false);
  }

  /**
   * Takes this task's snapshot; {@code unaligned}: the barrier overtakes the output not sent yet
   * (which becomes output channel state), and the acknowledgement waits until the task has captured
   * its in-flight input ({@link #completeInFlight}); a task without inputs acknowledges at once.
   * Final checkpoints and savepoints are always aligned.
   *
   * @return false when the synchronous part failed (the checkpoint was declined)
   */
  protected boolean performCheckpoint(
      long checkpointId,
      long timestampMillis,
      boolean isFinal,
      SnapshotType type,
      long alignmentNanos,
      boolean unaligned) {
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
    if (unaligned && !isFinal && type == SnapshotType.CHECKPOINT) {
      if (inFlight != null) {
        discardInFlight(inFlight.checkpointId(), "superseded by checkpoint " + checkpointId);
      }
      ChannelStateWriter channelState = new ChannelStateWriter(context.id().stage());
      if (writer != null) {
        writer.broadcastOvertaking(
            new ChannelEvent.CheckpointBarrier(
                checkpointId, timestampMillis, false, SnapshotType.CHECKPOINT),
            channelState::addOutput);
      }
      inFlight =
          new InFlightSnapshot(
              checkpointId, pending, channelState, alignmentNanos, System.nanoTime() - start);
      if (!hasInputs()) {
        completeInFlight(checkpointId);
      }
      return true;
    }
    if (writer != null) {
      writer.broadcast(
          new ChannelEvent.CheckpointBarrier(checkpointId, timestampMillis, isFinal, type));
    }
    if (isFinal) {
      finalCheckpointId = checkpointId;
    }
    upload(checkpointId, pending, null, alignmentNanos, System.nanoTime() - start);
    return true;
  }

  /**
   * Whether this task reads input channels (whose in-flight data an unaligned checkpoint holds).
   */
  protected abstract boolean hasInputs();

  /** Where the in-flight data of the unaligned checkpoint {@code checkpointId} goes; else null. */
  protected ChannelStateWriter inFlightState(long checkpointId) {
    return inFlight != null && inFlight.checkpointId() == checkpointId
        ? inFlight.channelState()
        : null;
  }

  /** The in-flight data of an unaligned checkpoint is captured: upload and acknowledge it. */
  protected void completeInFlight(long checkpointId) {
    InFlightSnapshot snapshot = inFlight;
    if (snapshot == null || snapshot.checkpointId() != checkpointId) {
      return;
    }
    inFlight = null;
    upload(
        checkpointId,
        snapshot.pending(),
        snapshot.channelState(),
        snapshot.alignmentNanos(),
        snapshot.syncNanos());
  }

  /** Gives up an unaligned checkpoint whose in-flight data was still being captured. */
  protected void discardInFlight(long checkpointId, String reason) {
    InFlightSnapshot snapshot = inFlight;
    if (snapshot == null || snapshot.checkpointId() != checkpointId) {
      return;
    }
    inFlight = null;
    snapshot.pending().discard();
    LOG.info("checkpoint {} declined: {}", checkpointId, reason);
    context.responder().decline(context.id(), checkpointId, reason);
  }

  /**
   * Reads the channel state this task restores (held by its head operator's snapshot), puts the
   * output a barrier overtook back in front of any new output, and returns the input to replay
   * before any new input, by sending subtask. Task thread, while initializing.
   */
  protected Map<Integer, byte[]> restoreChannelState() throws StateRestoreException {
    List<ChannelStateHandle> handles = context.restoreOf(chain.headUid()).channelState();
    ChannelStateReader.Restored restored =
        ChannelStateReader.read(handles, context.id().stage(), context.checkpoints().storage());
    if (!restored.output().isEmpty()) {
      if (writer == null) {
        throw new StateRestoreException(
            "the checkpoint holds output channel state for stage "
                + context.id().stage()
                + ", which has no output (the job's stages changed since the checkpoint)");
      }
      restored.output().forEach(writer::restoreOutput);
    }
    if (!restored.input().isEmpty() || !restored.output().isEmpty()) {
      LOG.info(
          "restored in-flight data: input of {} channels, output of {} channels",
          restored.input().size(),
          restored.output().size());
    }
    return restored.input();
  }

  private void upload(
      long checkpointId,
      OperatorChain.PendingSnapshot pending,
      ChannelStateWriter channelState,
      long alignmentNanos,
      long syncNanos) {
    String headUid = chain.headUid();
    String channelStatePath =
        context.checkpoints().checkpointDirectory(checkpointId)
            + "/_channel-state/stage-"
            + context.id().stage()
            + "-"
            + context.id().subtask();
    uploading.put(checkpointId, pending);
    long asyncStart = System.nanoTime();
    Executor io = context.asyncExecutor();
    CompletableFuture<Map<String, SubtaskSnapshot>> operators = pending.complete(io);
    if (channelState != null) {
      // every subtask names the head, so its parallelism in the metadata is right
      CompletableFuture<List<ChannelStateHandle>> channels =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return channelState.write(context.checkpoints().storage(), channelStatePath);
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              },
              io);
      operators =
          operators.thenCombine(
              channels, (ops, handles) -> withChannelState(ops, headUid, handles));
    }
    long channelBytes = channelState == null ? 0 : channelState.bytes();
    // the acknowledgement goes out from the thread that finishes the last part
    operators.whenComplete(
        (described, failure) -> {
          try {
            if (failure == null) {
              context
                  .responder()
                  .acknowledge(
                      new TaskSnapshot(
                          context.id(),
                          checkpointId,
                          described,
                          sizeOf(described) + channelBytes,
                          alignmentNanos,
                          syncNanos,
                          System.nanoTime() - asyncStart,
                          channelBytes,
                          channelState != null));
            } else {
              Throwable cause =
                  failure instanceof CompletionException ? failure.getCause() : failure;
              pending.discard();
              LOG.warn("checkpoint {} upload failed: {}", checkpointId, describe(cause));
              context.responder().decline(context.id(), checkpointId, describe(cause));
            }
          } finally {
            uploading.remove(checkpointId);
          }
        });
  }

  private static String describe(SnapshotType type) {
    return type == SnapshotType.SAVEPOINT ? "savepoint" : "checkpoint";
  }

  private Map<String, SubtaskSnapshot> withChannelState(
      Map<String, SubtaskSnapshot> operators, String headUid, List<ChannelStateHandle> handles) {
    Map<String, SubtaskSnapshot> result = new LinkedHashMap<>(operators);
    SubtaskSnapshot head =
        result.getOrDefault(
            headUid, SubtaskSnapshot.newBuilder().setSubtaskIndex(context.subtaskIndex()).build());
    result.put(headUid, head.toBuilder().addAllChannelState(handles).build());
    return result;
  }

  private static String describe(Throwable e) {
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
