package dev.weir.checkpoint;

import dev.weir.state.SnapshotType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CheckpointObserver} that remembers what the coordinator reported, for assertions. Used
 * on the test's thread only, like the coordinator's main thread it stands in for.
 */
final class RecordingObserver implements CheckpointObserver {
  /** A checkpoint or savepoint that did not complete, as reported. */
  record Failure(long checkpointId, CheckpointFailureReason reason, String message) {}

  private final Map<Long, SnapshotType> types = new HashMap<>();
  final List<Long> completed = new ArrayList<>();
  final List<Failure> failures = new ArrayList<>();

  @Override
  public void triggered(
      long checkpointId,
      long timestampMillis,
      boolean isFinal,
      SnapshotType type,
      Collection<TaskId> expectedTasks) {
    types.put(checkpointId, type);
  }

  @Override
  public void acknowledged(TaskSnapshot snapshot, long timestampMillis) {}

  @Override
  public void completed(
      long checkpointId,
      long timestampMillis,
      long endToEndMillis,
      long completionMillis,
      long stateSizeBytes,
      String path) {
    completed.add(checkpointId);
  }

  @Override
  public void failed(
      long checkpointId, long timestampMillis, CheckpointFailureReason reason, String message) {
    failures.add(new Failure(checkpointId, reason, message));
  }

  @Override
  public void restored(long checkpointId, long timestampMillis, String path) {}

  /** Ids of the completed snapshots of {@code type}, in completion order. */
  List<Long> completed(SnapshotType type) {
    return completed.stream().filter(id -> types.get(id) == type).toList();
  }

  /** The reported failures that count as failures (not aborts). */
  List<Failure> countedFailures() {
    return failures.stream().filter(f -> f.reason().countsAsFailure()).toList();
  }
}
