package dev.weir.checkpoint;

import dev.weir.concurrent.MainThreadExecutor;
import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.SnapshotType;
import dev.weir.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers checkpoints at the sources, collects the tasks' acknowledgements, completes a checkpoint
 * by writing its metadata last, then notifies the tasks; aborts on timeout or decline, and fails
 * the job over when more consecutive checkpoints fail than tolerated. Deletes completed checkpoints
 * beyond the retained number. Reports every event of every checkpoint to its one {@link
 * CheckpointObserver}, which keeps the statistics.
 *
 * <p>Threading: every field is owned by the main thread ({@link MainThreadExecutor}); the public
 * entry points used by tasks hop onto it. Storage I/O runs on {@code ioExecutor} and posts its
 * result back.
 */
public final class CheckpointCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);

  /** What the job master learns from the coordinator. */
  public interface Listener {
    void checkpointCompleted(CompletedCheckpoint checkpoint);

    void tolerableFailuresExceeded(long checkpointId, CheckpointFailureReason reason);
  }

  private final CheckpointConfig config;
  private final MainThreadExecutor main;
  private final Executor ioExecutor;
  private final CompletedCheckpointStore store;
  private final Listener listener;
  private final int maxParallelism;
  private final CheckpointObserver observer;
  private final SharedStateRegistry sharedState;

  private final TreeMap<Long, PendingCheckpoint> pending = new TreeMap<>();
  private final Map<Long, MainThreadExecutor.Cancellable> timeouts = new TreeMap<>();

  /** Completed checkpoints and savepoints by id: the restore candidates. */
  private final TreeMap<Long, CompletedCheckpoint> retained = new TreeMap<>();

  private long nextCheckpointId = 1;
  private long lastCompletionNanos = Long.MIN_VALUE;
  private int consecutiveFailures;
  private boolean running;
  private boolean finalRequested;
  private boolean finalTriggered;
  private GatewayBinding binding;
  private MainThreadExecutor.Cancellable nextTick;

  /** The tasks of the current deployment. */
  private record GatewayBinding(TaskGateway gateway, Set<TaskId> sources, Set<TaskId> allTasks) {}

  public CheckpointCoordinator(
      CheckpointConfig config,
      int maxParallelism,
      MainThreadExecutor main,
      Executor ioExecutor,
      CompletedCheckpointStore store,
      Listener listener,
      CheckpointObserver observer) {
    this.observer = observer;
    this.config = config;
    this.maxParallelism = maxParallelism;
    this.main = main;
    this.ioExecutor = ioExecutor;
    this.store = store;
    this.listener = listener;
    this.sharedState = new SharedStateRegistry(store, ioExecutor);
  }

  /**
   * Checkpoints completed earlier (after a restart of the coordinator): ids continue after them.
   */
  public void recoverCompleted(List<CompletedCheckpoint> completed) throws StorageException {
    assertMainThread();
    // incremental checkpoints: count shared files, delete orphans, before anything is triggered
    sharedState.recover(completed.stream().map(CompletedCheckpoint::metadata).toList());
    completed.forEach(c -> retained.put(c.checkpointId(), c));
    completed.forEach(c -> nextCheckpointId = Math.max(nextCheckpointId, c.checkpointId() + 1));
  }

  /** The job's state was restored from {@code checkpoint}: tells the observer. */
  public void noteRestored(CompletedCheckpoint checkpoint) {
    observer.restored(checkpoint.checkpointId(), main.currentTimeMillis(), checkpoint.path());
  }

  /** Ids the next checkpoint must exceed (ids are never reused, even across restarts). */
  public void advanceCheckpointIdPast(long id) {
    nextCheckpointId = Math.max(nextCheckpointId, id + 1);
  }

  /** Starts periodic checkpoints of a freshly deployed set of tasks. */
  public void start(TaskGateway gateway, Set<TaskId> sources, Set<TaskId> allTasks) {
    assertMainThread();
    binding = new GatewayBinding(gateway, Set.copyOf(sources), Set.copyOf(allTasks));
    running = true;
    finalTriggered = false;
    consecutiveFailures = 0;
    if (finalRequested) {
      // the sources of this deployment ended before it was reported started (a restored source
      // with nothing left to read): its final checkpoint is due now, no periodic one
      tryTrigger();
    } else if (config.periodic()) {
      scheduleTick(config.interval());
    }
  }

  /** Stops triggering and aborts every pending checkpoint (job failover or stop). */
  public void stop() {
    assertMainThread();
    running = false;
    finalRequested = false; // a request of the stopped deployment; the next one asks again
    if (nextTick != null) {
      nextTick.cancel();
      nextTick = null;
    }
    for (long id : new ArrayList<>(pending.keySet())) {
      abort(id, CheckpointFailureReason.JOB_FAILOVER, null);
    }
    sharedState.deleteAllCandidates(); // tasks restart from a retained checkpoint
  }

  /**
   * All sources are exhausted: take one more (final) checkpoint so that sinks commit the rest. May
   * come before {@link #start} (sources that end at once): the final checkpoint is then taken as
   * soon as the deployment starts.
   */
  public void requestFinalCheckpoint() {
    assertMainThread();
    finalRequested = true;
    if (running && !finalTriggered) {
      tryTrigger();
    }
  }

  private void scheduleTick(Duration delay) {
    if (nextTick != null) {
      nextTick.cancel();
    }
    nextTick = main.schedule(this::onTick, delay);
  }

  private void onTick() {
    nextTick = null;
    if (!running || finalTriggered) {
      return;
    }
    tryTrigger();
    if (running && !finalTriggered && nextTick == null) {
      scheduleTick(config.interval());
    }
  }

  /**
   * Takes a savepoint now, whatever max-concurrent and min-pause say. With {@code stop}, it is the
   * job's last snapshot: the sources stop emitting at its barrier, and once it completes (sinks
   * commit) every task ends and the job finishes; if it fails, the sources resume and periodic
   * checkpoints go on. A stop gives up the checkpoints still pending (their uploads are cancelled),
   * which would only slow the savepoint down. Savepoint failures do not count against the tolerable
   * checkpoint failures.
   *
   * @return completes with the savepoint, exceptionally with {@link SavepointFailedException}
   */
  public CompletableFuture<CompletedCheckpoint> triggerSavepoint(boolean stop) {
    assertMainThread();
    if (!running) {
      return CompletableFuture.failedFuture(
          new SavepointFailedException("the job is not running, no savepoint can be taken now"));
    }
    if (finalTriggered) {
      return CompletableFuture.failedFuture(
          new SavepointFailedException(
              "the job is stopping (a final checkpoint or stop-with-savepoint is in progress)"));
    }
    PendingCheckpoint savepoint = trigger(stop, SnapshotType.SAVEPOINT);
    if (stop) {
      // the savepoint is to be the job's last snapshot: checkpoints still uploading would only
      // compete with it for CPU and disk (and be subsumed by it), so they are given up; after the
      // trigger, so that nothing (a final checkpoint waiting for a free slot) takes their place
      for (PendingCheckpoint checkpoint : new ArrayList<>(pending.values())) {
        if (!checkpoint.isSavepoint()) {
          abort(checkpoint.checkpointId(), CheckpointFailureReason.STOPPING_WITH_SAVEPOINT, null);
        }
      }
    }
    return savepoint.completion();
  }

  /** Triggers a checkpoint now if max-concurrent and min-pause allow; otherwise retries later. */
  private void tryTrigger() {
    if (pending.size() >= config.maxConcurrent()) {
      return; // the next tick, or the completion of a pending one, tries again
    }
    long sinceLast = main.nanoTime() - lastCompletionNanos;
    long minPause = config.minPause().toNanos();
    if (lastCompletionNanos != Long.MIN_VALUE && sinceLast < minPause) {
      scheduleTick(Duration.ofNanos(minPause - sinceLast));
      return;
    }
    trigger(finalRequested, SnapshotType.CHECKPOINT);
  }

  private PendingCheckpoint trigger(boolean isFinal, SnapshotType type) {
    long id = nextCheckpointId++;
    long timestamp = main.currentTimeMillis();
    PendingCheckpoint checkpoint =
        new PendingCheckpoint(id, timestamp, main.nanoTime(), isFinal, type, binding.allTasks());
    pending.put(id, checkpoint);
    timeouts.put(
        id,
        main.schedule(() -> abort(id, CheckpointFailureReason.EXPIRED, null), config.timeout()));
    finalTriggered |= isFinal;
    observer.triggered(id, timestamp, isFinal, type, binding.allTasks());
    if (checkpoint.isSavepoint()) {
      LOG.info("triggering savepoint {}{}", id, isFinal ? " (stop)" : "");
    } else {
      LOG.debug("triggering checkpoint {}{}", id, isFinal ? " (final)" : "");
    }
    for (TaskId source : binding.sources()) {
      binding.gateway().triggerCheckpoint(source, id, timestamp, isFinal, type);
    }
    return checkpoint;
  }

  /** A task finished its part of a checkpoint. Any thread. */
  public void acknowledge(TaskSnapshot snapshot) {
    main.execute(() -> onAcknowledge(snapshot));
  }

  /** A task could not take its part of a checkpoint. Any thread. */
  public void decline(TaskId task, long checkpointId, String cause) {
    main.execute(() -> abort(checkpointId, CheckpointFailureReason.DECLINED, task + ": " + cause));
  }

  private void onAcknowledge(TaskSnapshot snapshot) {
    PendingCheckpoint checkpoint = pending.get(snapshot.checkpointId());
    if (checkpoint == null) {
      // late ack of an aborted checkpoint: its directory was deleted, delete what came after
      if (snapshot.checkpointId() < nextCheckpointId) {
        discardDirectory(snapshot.checkpointId(), null);
        sharedState.discardUnregistered(List.of(snapshot));
      }
      return;
    }
    PendingCheckpoint.AckResult result = checkpoint.acknowledge(snapshot);
    if (result != PendingCheckpoint.AckResult.SUCCESS) {
      LOG.warn(
          "{} acknowledgement of checkpoint {} from {}",
          result,
          checkpoint.checkpointId(),
          snapshot.task());
      return;
    }
    observer.acknowledged(snapshot, main.currentTimeMillis());
    if (checkpoint.isFullyAcknowledged()) {
      finalizeCheckpoint(checkpoint);
    }
  }

  private void finalizeCheckpoint(PendingCheckpoint checkpoint) {
    long id = checkpoint.checkpointId();
    CheckpointMetadata metadata =
        buildMetadata(checkpoint).toBuilder().setSavepoint(checkpoint.isSavepoint()).build();
    String deletedReference = sharedState.firstDeletedReference(metadata);
    if (deletedReference != null) {
      abort(
          id,
          CheckpointFailureReason.FINALIZE_FAILED,
          "references the shared file "
              + store.storage().describe(deletedReference)
              + ", which was deleted already");
      return;
    }
    long stateSize =
        checkpoint.snapshots().values().stream().mapToLong(TaskSnapshot::stateSizeBytes).sum();
    long endToEndMillis = (main.nanoTime() - checkpoint.triggerNanos()) / 1_000_000; // last ack
    ioExecutor.execute(
        () -> {
          try {
            String path =
                checkpoint.isSavepoint()
                    ? store.writeSavepointMetadata(metadata)
                    : store.writeMetadata(metadata);
            main.execute(
                () -> onMetadataWritten(checkpoint, metadata, path, stateSize, endToEndMillis));
          } catch (Exception e) {
            main.execute(() -> abort(id, CheckpointFailureReason.FINALIZE_FAILED, e.getMessage()));
          }
        });
  }

  private void onMetadataWritten(
      PendingCheckpoint checkpoint,
      CheckpointMetadata metadata,
      String path,
      long stateSize,
      long endToEndMillis) {
    long id = checkpoint.checkpointId();
    if (pending.remove(id) == null) {
      // aborted (timed out) while the metadata write was still retrying: the metadata must not
      // stay, or a restarted coordinator would take this checkpoint for complete
      discardDirectory(id, checkpoint.type());
      return;
    }
    cancelTimeout(id);
    long durationMillis = (main.nanoTime() - checkpoint.triggerNanos()) / 1_000_000;
    // a savepoint is named by its directory (what a restore takes), a checkpoint by its metadata
    String location =
        checkpoint.isSavepoint()
            ? store.storage().describe(store.savepointDirectory(id))
            : store.storage().describe(path);
    CompletedCheckpoint completed =
        new CompletedCheckpoint(metadata, location, durationMillis, stateSize, endToEndMillis);
    lastCompletionNanos = main.nanoTime();
    if (!checkpoint.isSavepoint()) {
      consecutiveFailures = 0;
    }
    retained.put(id, completed);
    // before older ones are dropped; a savepoint references no shared file
    long uploadedShared = checkpoint.isSavepoint() ? 0 : sharedState.register(metadata);
    observer.completed(
        id, main.currentTimeMillis(), endToEndMillis, durationMillis, stateSize, completed.path());
    LOG.info(
        "completed {} {} in {} ms, acknowledged after {} ms ({} bytes, {} of them new shared files)",
        checkpoint.isSavepoint() ? "savepoint" : "checkpoint",
        id,
        durationMillis,
        endToEndMillis,
        stateSize,
        uploadedShared);
    for (PendingCheckpoint older : new ArrayList<>(pending.headMap(id).values())) {
      if (!older.isSavepoint()) { // a savepoint is never subsumed: the user waits for it
        abort(older.checkpointId(), CheckpointFailureReason.SUBSUMED, null);
      }
    }
    dropBeyondRetention();
    sharedState.collectGarbage(id);
    if (binding != null) {
      binding.gateway().notifyCheckpointComplete(id);
    }
    checkpoint.completion().complete(completed);
    listener.checkpointCompleted(completed);
    triggerFinalIfWaiting();
  }

  /** A final checkpoint requested while max-concurrent was reached goes out as soon as it can. */
  private void triggerFinalIfWaiting() {
    if (running && finalRequested && !finalTriggered) {
      tryTrigger();
    }
  }

  /**
   * Deletes the oldest checkpoints beyond the retained number. Savepoints do not count and are
   * never deleted; one older than every retained checkpoint stops being a restore candidate.
   */
  private void dropBeyondRetention() {
    long checkpoints = retained.values().stream().filter(c -> !c.isSavepoint()).count();
    while (checkpoints > config.retained()) {
      CompletedCheckpoint dropped = retained.pollFirstEntry().getValue();
      if (dropped.isSavepoint()) {
        continue;
      }
      checkpoints--;
      long oldest = dropped.checkpointId();
      sharedState.unregister(oldest, nextCheckpointId);
      ioExecutor.execute(
          () -> {
            try {
              store.delete(oldest);
            } catch (Exception e) {
              LOG.warn(
                  "could not delete checkpoint {} beyond retention: {}", oldest, e.getMessage());
            }
          });
    }
  }

  private void abort(long id, CheckpointFailureReason reason, String detail) {
    PendingCheckpoint checkpoint = pending.remove(id);
    if (checkpoint == null) {
      return;
    }
    cancelTimeout(id);
    String message =
        "checkpoint "
            + id
            + " failed: "
            + reason.message()
            + (detail == null ? "" : " (" + detail + ")");
    if (reason.countsAsFailure()) {
      LOG.warn(message);
    } else {
      LOG.debug(message);
    }
    observer.failed(id, main.currentTimeMillis(), reason, message);
    discardDirectory(id, checkpoint.type());
    sharedState.discardUnregistered(checkpoint.snapshots().values());
    if (binding != null && reason != CheckpointFailureReason.JOB_FAILOVER) {
      binding.gateway().notifyCheckpointAborted(id);
    }
    checkpoint.completion().completeExceptionally(new SavepointFailedException(message));
    if (checkpoint.isSavepoint()) {
      if (checkpoint.isFinal()) {
        finalTriggered = false; // the stop failed: the sources resume, checkpoints go on
        if (running && config.periodic() && nextTick == null) {
          scheduleTick(config.interval());
        }
      }
      triggerFinalIfWaiting();
      return;
    }
    if (reason.countsAsFailure()) {
      consecutiveFailures++;
      if (checkpoint.isFinal() || consecutiveFailures > config.tolerableFailures()) {
        listener.tolerableFailuresExceeded(id, reason);
        return;
      }
    }
    triggerFinalIfWaiting();
  }

  /** Deletes what the tasks wrote for a snapshot that did not complete (both places if unknown). */
  private void discardDirectory(long id, SnapshotType type) {
    ioExecutor.execute(
        () -> {
          try {
            if (type != SnapshotType.SAVEPOINT) {
              store.storage().deleteAll(store.checkpointDirectory(id) + "/");
            }
            if (type != SnapshotType.CHECKPOINT) {
              store.storage().deleteAll(store.savepointDirectory(id) + "/");
            }
          } catch (Exception e) {
            LOG.debug("could not discard checkpoint {}: {}", id, e.getMessage());
          }
        });
  }

  private void cancelTimeout(long id) {
    MainThreadExecutor.Cancellable timeout = timeouts.remove(id);
    if (timeout != null) {
      timeout.cancel();
    }
  }

  private CheckpointMetadata buildMetadata(PendingCheckpoint checkpoint) {
    Map<String, List<SubtaskSnapshot>> byOperator = new TreeMap<>();
    Map<String, Integer> parallelism = new TreeMap<>();
    checkpoint.snapshots().values().stream()
        .sorted(Comparator.comparing(TaskSnapshot::task))
        .forEach(
            s ->
                s.operators()
                    .forEach(
                        (uid, subtask) -> {
                          byOperator.computeIfAbsent(uid, k -> new ArrayList<>()).add(subtask);
                          parallelism.merge(uid, 1, Integer::sum);
                        }));
    CheckpointMetadata.Builder metadata =
        CheckpointMetadata.newBuilder()
            .setJobId(store.jobId())
            .setCheckpointId(checkpoint.checkpointId())
            .setTriggerTimestampMs(checkpoint.triggerTimestampMillis())
            .setCompletionTimestampMs(main.currentTimeMillis())
            .setMaxParallelism(maxParallelism);
    byOperator.forEach(
        (uid, subtasks) ->
            metadata.addOperators(
                OperatorSnapshot.newBuilder()
                    .setUid(uid)
                    .setParallelism(parallelism.get(uid))
                    .addAllSubtasks(subtasks)));
    return metadata.build();
  }

  /** The restore candidates: retained checkpoints and savepoints, oldest first. Main thread. */
  public List<CompletedCheckpoint> retainedCheckpoints() {
    assertMainThread();
    return List.copyOf(retained.values());
  }

  /** Reference counts of the shared files of incremental checkpoints. Main thread. */
  public SharedStateRegistry sharedState() {
    assertMainThread();
    return sharedState;
  }

  /**
   * Forgets a restore candidate (found corrupt on restore, or a disposed savepoint), so the next
   * restore skips it.
   */
  public void forget(long checkpointId) {
    assertMainThread();
    retained.remove(checkpointId);
    sharedState.unregister(checkpointId, nextCheckpointId);
  }

  /**
   * Adds a savepoint read from storage as the newest restore candidate (a job started from a
   * savepoint); checkpoint ids continue after it.
   */
  public void restoreFromSavepoint(CompletedCheckpoint savepoint) {
    assertMainThread();
    retained.put(savepoint.checkpointId(), savepoint);
    advanceCheckpointIdPast(savepoint.checkpointId());
  }

  private void assertMainThread() {
    if (!main.isMainThread()) {
      throw new IllegalStateException("CheckpointCoordinator used outside its main thread");
    }
  }
}
