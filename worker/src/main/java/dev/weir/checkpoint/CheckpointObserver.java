package dev.weir.checkpoint;

import dev.weir.state.SnapshotType;
import java.util.Collection;

/**
 * Hears what happens to every checkpoint and savepoint: the coordinator's one stream of events for
 * statistics (its one observer is the statistics tracker). Called on the coordinator's main thread,
 * in the order things happen; implementations must not block.
 */
public interface CheckpointObserver {
  /** A checkpoint or savepoint was triggered; {@code expectedTasks} have to acknowledge it. */
  void triggered(
      long checkpointId,
      long timestampMillis,
      boolean isFinal,
      SnapshotType type,
      Collection<TaskId> expectedTasks);

  /** A task acknowledged its part of a checkpoint (once per task; duplicates are not reported). */
  void acknowledged(TaskSnapshot snapshot, long timestampMillis);

  /**
   * A checkpoint or savepoint completed: its metadata is written.
   *
   * @param endToEndMillis from the trigger to the last acknowledgement (Flink's definition)
   * @param completionMillis from the trigger to the metadata written
   * @param path where it is: a checkpoint's metadata, a savepoint's directory
   */
  void completed(
      long checkpointId,
      long timestampMillis,
      long endToEndMillis,
      long completionMillis,
      long stateSizeBytes,
      String path);

  /**
   * A checkpoint or savepoint did not complete: failed or, when the reason does not {@link
   * CheckpointFailureReason#countsAsFailure() count as a failure}, aborted.
   *
   * @param message what went wrong, as the coordinator logs it (not redacted)
   */
  void failed(
      long checkpointId, long timestampMillis, CheckpointFailureReason reason, String message);

  /** The job's state was restored from a completed checkpoint or savepoint at {@code path}. */
  void restored(long checkpointId, long timestampMillis, String path);

  /** Hears nothing. */
  CheckpointObserver NONE =
      new CheckpointObserver() {
        @Override
        public void triggered(
            long id, long ts, boolean isFinal, SnapshotType type, Collection<TaskId> tasks) {}

        @Override
        public void acknowledged(TaskSnapshot snapshot, long ts) {}

        @Override
        public void completed(
            long id, long ts, long endToEndMillis, long completionMillis, long size, String path) {}

        @Override
        public void failed(long id, long ts, CheckpointFailureReason reason, String message) {}

        @Override
        public void restored(long id, long ts, String path) {}
      };
}
