package dev.weir.runtime.task;

import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.checkpoint.barrier.Barrier;
import dev.weir.proto.ChannelStateHandle;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.RecordWriter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task side of the checkpoint protocol for one subtask, the counterpart of the {@code
 * CheckpointCoordinator} (as Flink's {@code SubtaskCheckpointCoordinator}): takes a snapshot when
 * the task's barrier handler (or, at a source, the trigger) says so, and answers for it.
 *
 * <ol>
 *   <li>the synchronous part: the operator chain captures its state ({@link
 *       OperatorChain#snapshotSync}); a failure declines at once and tells downstream;
 *   <li>the barrier goes to every output channel — for an unaligned checkpoint ahead of the output
 *       not yet sent, which is copied as output channel state;
 *   <li>an unaligned checkpoint then collects its in-flight input ({@link #inFlightState}) until
 *       the barrier handler reports it captured ({@link #completeInFlight});
 *   <li>the asynchronous part: the sinks' uploads, the keyed state and the channel state run side
 *       by side on the I/O executor; the thread that finishes the last of them acknowledges to the
 *       {@link dev.weir.checkpoint.CheckpointResponder} with the handles written, or declines;
 *   <li>notifications: a completed checkpoint commits the sinks; an aborted one cancels its upload;
 *       a final checkpoint (or stop-with-savepoint) is tracked until it completed;
 *   <li>restore: the channel state of the checkpoint the task starts from.
 * </ol>
 *
 * <p>Threading: owned by the task thread (the mailbox loop), like the operator chain it snapshots:
 * every method runs there except {@link #cancelUpload}, which any thread may call. The asynchronous
 * part works only on what the synchronous part captured and ends on an I/O thread.
 */
final class SubtaskCheckpointCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(SubtaskCheckpointCoordinator.class);

  /** No final checkpoint taken (yet). */
  private static final long NONE = Long.MAX_VALUE;

  private final TaskContext context;
  private final RecordWriter writer;
  private final boolean hasInputs;
  private OperatorChain chain;

  /**
   * The unaligned checkpoint whose snapshot is taken while its in-flight input is still being
   * captured; acknowledged once that is done.
   */
  private InFlightSnapshot inFlight;

  /** Snapshots being uploaded, by checkpoint id: an abort cancels them. Any thread. */
  private final Map<Long, PendingSnapshot> uploading = new ConcurrentHashMap<>();

  private long finalCheckpointId = NONE;
  private long lastCompletedCheckpointId = -1;

  private record InFlightSnapshot(
      long checkpointId,
      PendingSnapshot pending,
      ChannelStateWriter channelState,
      long alignmentNanos,
      long syncNanos) {}

  /**
   * @param writer the task's output to the next stage, or null when its chain ends in a sink
   * @param hasInputs whether the task reads input channels (whose in-flight data an unaligned
   *     checkpoint holds); a task without inputs acknowledges an unaligned checkpoint at once
   */
  SubtaskCheckpointCoordinator(TaskContext context, RecordWriter writer, boolean hasInputs) {
    this.context = context;
    this.writer = writer;
    this.hasInputs = hasInputs;
  }

  /**
   * Takes over the task's restored operator chain and reads the channel state it restores (held by
   * its head operator's snapshot): puts the output a barrier overtook back in front of any new
   * output, and returns the input to replay before any new input, by sending subtask. Once, while
   * the task initializes, before anything is checkpointed.
   *
   * @throws StateRestoreException naming the file when the channel state cannot be read
   */
  Map<Integer, byte[]> restore(OperatorChain restored) throws StateRestoreException {
    this.chain = restored;
    List<ChannelStateHandle> handles = context.restoreOf(chain.headUid()).channelState();
    ChannelStateReader.Restored channelState =
        ChannelStateReader.read(handles, context.id().stage(), context.checkpoints().storage());
    if (!channelState.output().isEmpty()) {
      if (writer == null) {
        throw new StateRestoreException(
            "the checkpoint holds output channel state for stage "
                + context.id().stage()
                + ", which has no output (the job's stages changed since the checkpoint)");
      }
      channelState.output().forEach(writer::restoreOutput);
    }
    if (!channelState.input().isEmpty() || !channelState.output().isEmpty()) {
      LOG.info(
          "restored in-flight data: input of {} channels, output of {} channels",
          channelState.input().size(),
          channelState.output().size());
    }
    return channelState.input();
  }

  /**
   * Takes this task's snapshot for {@code barrier}: the synchronous part now, then the barrier goes
   * downstream; the upload runs on the I/O executor and ends in an ack or a decline. With {@code
   * unaligned} (and a barrier that {@link Barrier#canBeUnaligned can be}), the barrier overtakes
   * the output not sent yet and the acknowledgement waits until the in-flight input is captured
   * ({@link #completeInFlight}).
   *
   * @param alignmentNanos how long the task waited for the barriers, for statistics
   * @return false when the synchronous part failed (the checkpoint was declined)
   * @throws IllegalStateException when a final checkpoint failed: the sources already ended their
   *     output, so this attempt cannot take another one
   */
  boolean checkpointState(Barrier barrier, long alignmentNanos, boolean unaligned) {
    long checkpointId = barrier.checkpointId();
    long start = System.nanoTime();
    PendingSnapshot pending;
    try {
      pending = chain.snapshotSync(checkpointId, barrier.type(), directoryOf(barrier));
    } catch (Exception e) {
      LOG.warn("{} {} declined: {}", barrier.describe(), checkpointId, e.toString());
      context.responder().decline(context.id(), checkpointId, e.toString());
      if (writer != null) {
        writer.broadcast(new ChannelEvent.CancelCheckpoint(checkpointId));
      }
      if (barrier.isFinal() && barrier.type() == SnapshotType.CHECKPOINT) {
        throw new IllegalStateException("the final checkpoint failed: " + e, e);
      }
      return false;
    }
    if (unaligned && barrier.canBeUnaligned()) {
      if (inFlight != null) {
        discardInFlight(inFlight.checkpointId(), "superseded by checkpoint " + checkpointId);
      }
      ChannelStateWriter channelState = new ChannelStateWriter(context.id().stage());
      if (writer != null) {
        writer.broadcastOvertaking(
            new ChannelEvent.CheckpointBarrier(barrier), channelState::addOutput);
      }
      inFlight =
          new InFlightSnapshot(
              checkpointId, pending, channelState, alignmentNanos, System.nanoTime() - start);
      if (!hasInputs) {
        completeInFlight(checkpointId);
      }
      return true;
    }
    if (writer != null) {
      writer.broadcast(new ChannelEvent.CheckpointBarrier(barrier));
    }
    if (barrier.isFinal()) {
      finalCheckpointId = checkpointId;
    }
    upload(checkpointId, pending, null, alignmentNanos, System.nanoTime() - start);
    return true;
  }

  private String directoryOf(Barrier barrier) {
    return barrier.type() == SnapshotType.SAVEPOINT
        ? context.checkpoints().savepointDirectory(barrier.checkpointId())
        : context.checkpoints().checkpointDirectory(barrier.checkpointId());
  }

  /**
   * Where the in-flight data of the unaligned checkpoint {@code checkpointId} goes while it is
   * captured; null when there is none (never unaligned, captured already, or declined).
   */
  ChannelStateWriter inFlightState(long checkpointId) {
    return inFlight != null && inFlight.checkpointId() == checkpointId
        ? inFlight.channelState()
        : null;
  }

  /** The in-flight data of an unaligned checkpoint is captured: upload and acknowledge it. */
  void completeInFlight(long checkpointId) {
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

  /**
   * The task gave up {@code checkpointId} (a newer barrier overtook it, upstream cancelled it, or
   * the coordinator aborted it): an unaligned snapshot still capturing is declined and dropped, and
   * downstream is told not to wait for its barriers.
   */
  void abortCheckpoint(long checkpointId) {
    discardInFlight(checkpointId, "checkpoint " + checkpointId + " was given up at this task");
    if (writer != null) {
      writer.broadcast(new ChannelEvent.CancelCheckpoint(checkpointId));
    }
  }

  private void discardInFlight(long checkpointId, String reason) {
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
   * The coordinator completed {@code checkpointId}: the sinks commit (a sink that fails to fails
   * the task as user code) and the backends learn what later incremental checkpoints may reuse.
   */
  void notifyCheckpointComplete(long checkpointId) {
    try {
      chain.notifyCheckpointComplete(checkpointId);
    } catch (Exception e) {
      throw new UserFunctionException("sink", e);
    }
    lastCompletedCheckpointId = Math.max(lastCompletedCheckpointId, checkpointId);
  }

  /**
   * Frees the upload of an aborted checkpoint (and its thread's CPU) for what comes next, without
   * waiting for the task thread. Any thread.
   */
  void cancelUpload(long checkpointId) {
    PendingSnapshot upload = uploading.get(checkpointId);
    if (upload != null) {
      upload.cancel();
    }
  }

  /**
   * The coordinator aborted {@code checkpointId}. If it was this task's final barrier while the
   * task's output goes on (a stop-with-savepoint that failed), the job goes on: the final
   * checkpoint is forgotten. Once the output ended there is no going back, and the task waits (the
   * job fails over).
   *
   * @return whether a final checkpoint was forgotten
   */
  boolean notifyCheckpointAborted(long checkpointId, boolean outputEnded) {
    if (checkpointId != finalCheckpointId || outputEnded) {
      return false;
    }
    finalCheckpointId = NONE;
    return true;
  }

  /** Whether this task took a final barrier whose checkpoint has not completed yet. */
  boolean awaitsFinalCheckpoint() {
    return finalCheckpointId != NONE && lastCompletedCheckpointId < finalCheckpointId;
  }

  /** The task ends: an unaligned snapshot still capturing is dropped (nothing is acknowledged). */
  void close() {
    if (inFlight != null) {
      inFlight.pending().discard();
      inFlight = null;
    }
  }

  private void upload(
      long checkpointId,
      PendingSnapshot pending,
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
