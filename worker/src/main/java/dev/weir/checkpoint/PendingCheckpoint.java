package dev.weir.checkpoint;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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
  private final Set<TaskId> notYetAcknowledged;
  private final Map<TaskId, TaskSnapshot> acknowledged = new HashMap<>();

  public PendingCheckpoint(
      long checkpointId,
      long triggerTimestampMillis,
      long triggerNanos,
      boolean isFinal,
      Set<TaskId> tasksToAcknowledge) {
    this.checkpointId = checkpointId;
    this.triggerTimestampMillis = triggerTimestampMillis;
    this.triggerNanos = triggerNanos;
    this.isFinal = isFinal;
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
