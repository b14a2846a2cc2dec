package dev.weir.checkpoint;

import dev.weir.concurrent.MainThreadExecutor;
import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.storage.StorageException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers checkpoints at the sources, collects the tasks' acknowledgements, completes a checkpoint
 * by writing its metadata last, then notifies the tasks; aborts on timeout or decline, and fails
 * the job over when more consecutive checkpoints fail than tolerated. Deletes completed checkpoints
 * beyond the retained number.
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
  private final Deque<CompletedCheckpoint> retained = new ArrayDeque<>();
  private long nextCheckpointId = 1;
  private long lastCompletionNanos = Long.MIN_VALUE;
  private int consecutiveFailures;
  private boolean running;
  private boolean finalRequested;
  private boolean finalTriggered;
  private GatewayBinding binding;
  private MainThreadExecutor.Cancellable nextTick;
  private volatile CheckpointStats stats = CheckpointStats.EMPTY;

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

  /** Counters for progress displays; safe from any thread. */
  public CheckpointStats stats() {
    return stats;
  }

  /**
   * Checkpoints completed earlier (after a restart of the coordinator): ids continue after them.
   */
  public void recoverCompleted(List<CompletedCheckpoint> completed) throws StorageException {
    assertMainThread();
    // incremental checkpoints: count shared files, delete orphans, before anything is triggered
    sharedState.recover(completed.stream().map(CompletedCheckpoint::metadata).toList());
    completed.stream()
        .sorted(Comparator.comparingLong(CompletedCheckpoint::checkpointId))
        .forEach(retained::addLast);
    completed.forEach(c -> nextCheckpointId = Math.max(nextCheckpointId, c.checkpointId() + 1));
  }

  public void noteRestored(CompletedCheckpoint checkpoint) {
    stats = stats.withRestored();
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
    finalRequested = false;
    finalTriggered = false;
    consecutiveFailures = 0;
    if (config.periodic()) {
      scheduleTick(config.interval());
    }
  }

  /** Stops triggering and aborts every pending checkpoint (job failover or stop). */
  public void stop() {
    assertMainThread();
    running = false;
    if (nextTick != null) {
      nextTick.cancel();
      nextTick = null;
    }
    for (long id : new ArrayList<>(pending.keySet())) {
      abort(id, CheckpointFailureReason.JOB_FAILOVER, null);
    }
    sharedState.deleteAllCandidates(); // tasks restart from a retained checkpoint
  }

  /** All sources are exhausted: take one more (final) checkpoint so that sinks commit the rest. */
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
    trigger();
  }

  private void trigger() {
    boolean isFinal = finalRequested;
    long id = nextCheckpointId++;
    long timestamp = main.currentTimeMillis();
    PendingCheckpoint checkpoint =
        new PendingCheckpoint(id, timestamp, main.nanoTime(), isFinal, binding.allTasks());
    pending.put(id, checkpoint);
    timeouts.put(
        id,
        main.schedule(() -> abort(id, CheckpointFailureReason.EXPIRED, null), config.timeout()));
    finalTriggered |= isFinal;
    stats = stats.withTriggered(pending.size());
    observer.triggered(id, timestamp, isFinal, binding.allTasks());
    LOG.debug("triggering checkpoint {}{}", id, isFinal ? " (final)" : "");
    for (TaskId source : binding.sources()) {
      binding.gateway().triggerCheckpoint(source, id, timestamp, isFinal);
    }
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
        discardDirectory(snapshot.checkpointId());
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
    CheckpointMetadata metadata = buildMetadata(checkpoint);
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
    ioExecutor.execute(
        () -> {
          try {
            String path = store.writeMetadata(metadata);
            main.execute(() -> onMetadataWritten(checkpoint, metadata, path, stateSize));
          } catch (Exception e) {
            main.execute(() -> abort(id, CheckpointFailureReason.FINALIZE_FAILED, e.getMessage()));
          }
        });
  }

  private void onMetadataWritten(
      PendingCheckpoint checkpoint, CheckpointMetadata metadata, String path, long stateSize) {
    long id = checkpoint.checkpointId();
    if (pending.remove(id) == null) {
      // aborted (timed out) while the metadata write was still retrying: the metadata must not
      // stay, or a restarted coordinator would take this checkpoint for complete
      discardDirectory(id);
      return;
    }
    cancelTimeout(id);
    long durationMillis = (main.nanoTime() - checkpoint.triggerNanos()) / 1_000_000;
    CompletedCheckpoint completed =
        new CompletedCheckpoint(
            metadata, store.storage().describe(path), durationMillis, stateSize);
    lastCompletionNanos = main.nanoTime();
    consecutiveFailures = 0;
    retained.addLast(completed);
    long uploadedShared = sharedState.register(metadata); // before older ones are dropped
    stats = stats.withCompleted(completed, pending.size());
    observer.completed(id, main.currentTimeMillis(), durationMillis, stateSize, completed.path());
    LOG.info(
        "completed checkpoint {} in {} ms ({} bytes, {} of them new shared files)",
        id,
        durationMillis,
        stateSize,
        uploadedShared);
    for (long older : new ArrayList<>(pending.headMap(id).keySet())) {
      abort(older, CheckpointFailureReason.SUBSUMED, null);
    }
    dropBeyondRetention();
    sharedState.collectGarbage(id);
    if (binding != null) {
      binding.gateway().notifyCheckpointComplete(id);
    }
    listener.checkpointCompleted(completed);
    triggerFinalIfWaiting();
  }

  /** A final checkpoint requested while max-concurrent was reached goes out as soon as it can. */
  private void triggerFinalIfWaiting() {
    if (running && finalRequested && !finalTriggered) {
      tryTrigger();
    }
  }

  private void dropBeyondRetention() {
    while (retained.size() > config.retained()) {
      long oldest = retained.removeFirst().checkpointId();
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
      stats = stats.withFailed(message, pending.size());
    } else {
      LOG.debug(message);
      stats = stats.withInProgress(pending.size());
    }
    observer.failed(id, main.currentTimeMillis(), reason, message);
    discardDirectory(id);
    sharedState.discardUnregistered(checkpoint.snapshots().values());
    if (binding != null && reason != CheckpointFailureReason.JOB_FAILOVER) {
      binding.gateway().notifyCheckpointAborted(id);
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

  private void discardDirectory(long id) {
    ioExecutor.execute(
        () -> {
          try {
            store.storage().deleteAll(store.checkpointDirectory(id) + "/");
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

  /** The retained completed checkpoints, oldest first. Main thread. */
  public List<CompletedCheckpoint> retainedCheckpoints() {
    assertMainThread();
    return List.copyOf(retained);
  }

  /** Reference counts of the shared files of incremental checkpoints. Main thread. */
  public SharedStateRegistry sharedState() {
    assertMainThread();
    return sharedState;
  }

  /** Forgets a retained checkpoint found corrupt on restore, so the next restore skips it. */
  public void forget(long checkpointId) {
    assertMainThread();
    retained.removeIf(c -> c.checkpointId() == checkpointId);
    sharedState.unregister(checkpointId, nextCheckpointId);
  }

  private void assertMainThread() {
    if (!main.isMainThread()) {
      throw new IllegalStateException("CheckpointCoordinator used outside its main thread");
    }
  }
}
