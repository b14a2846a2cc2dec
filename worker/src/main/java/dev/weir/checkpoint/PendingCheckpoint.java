package dev.weir.checkpoint;

import dev.weir.state.SnapshotType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One checkpoint in progress: which tasks still have to acknowledge it, and what those that did
 * wrote. Owned by the coordinator's main thread.
 */
public final class PendingCheckpoint {

  /** What became of one acknowledgement. */
  public enum AckResult {
    SUCCESS,
    DUPLICATE,
    UNKNOWN_TASK
  }

  private final long checkpointId;
  private final long triggerTimestampMillis;
  private final long triggerNanos;
  private final boolean isFinal;
  private final SnapshotType type;
  private final CompletableFuture<CompletedCheckpoint> completion = new CompletableFuture<>();
  private final Set<TaskId> notYetAcknowledged;
  private final Map<TaskId, TaskSnapshot> acknowledged = new HashMap<>();

  public PendingCheckpoint(
      long checkpointId,
      long triggerTimestampMillis,
      long triggerNanos,
      boolean isFinal,
      Set<TaskId> tasksToAcknowledge) {
    this(
        checkpointId,
        triggerTimestampMillis,
        triggerNanos,
        isFinal,
        SnapshotType.CHECKPOINT,
        tasksToAcknowledge);
  }

  public PendingCheckpoint(
      long checkpointId,
      long triggerTimestampMillis,
      long triggerNanos,
      boolean isFinal,
      SnapshotType type,
      Set<TaskId> tasksToAcknowledge) {
    this.checkpointId = checkpointId;
    this.triggerTimestampMillis = triggerTimestampMillis;
    this.triggerNanos = triggerNanos;
    this.isFinal = isFinal;
    this.type = type;
    this.notYetAcknowledged = new HashSet<>(tasksToAcknowledge);
  }

  public AckResult acknowledge(TaskSnapshot snapshot) {
    if (notYetAcknowledged.remove(snapshot.task())) {
      acknowledged.put(snapshot.task(), snapshot);
      return AckResult.SUCCESS;
    }
    return acknowledged.containsKey(snapshot.task()) ? AckResult.DUPLICATE : AckResult.UNKNOWN_TASK;
  }

  public boolean isFullyAcknowledged() {
    return notYetAcknowledged.isEmpty();
  }

  public long checkpointId() {
    return checkpointId;
  }

  public long triggerTimestampMillis() {
    return triggerTimestampMillis;
  }

  public long triggerNanos() {
    return triggerNanos;
  }

  public boolean isFinal() {
    return isFinal;
  }

  public SnapshotType type() {
    return type;
  }

  public boolean isSavepoint() {
    return type == SnapshotType.SAVEPOINT;
  }

  /** Completes when the checkpoint completes, exceptionally when it is aborted. */
  public CompletableFuture<CompletedCheckpoint> completion() {
    return completion;
  }

  public int acknowledgedCount() {
    return acknowledged.size();
  }

  public int expectedCount() {
    return acknowledged.size() + notYetAcknowledged.size();
  }

  public Map<TaskId, TaskSnapshot> snapshots() {
    return Map.copyOf(acknowledged);
  }
}
