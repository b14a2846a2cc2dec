package dev.weir.checkpoint;

import dev.weir.state.SnapshotType;
import java.util.Collection;

/**
 * Hears what happens to every checkpoint, for statistics. Called on the coordinator's main thread;
 * implementations must not block.
 */
public interface CheckpointObserver {
  void triggered(
      long checkpointId,
      long timestampMillis,
      boolean isFinal,
      SnapshotType type,
      Collection<TaskId> expectedTasks);

  void acknowledged(TaskSnapshot snapshot, long timestampMillis);

  /**
   * @param endToEndMillis from the trigger to the last acknowledgement (Flink's definition)
   * @param completionMillis from the trigger to the metadata written
   */
  void completed(
      long checkpointId,
      long timestampMillis,
      long endToEndMillis,
      long completionMillis,
      long stateSizeBytes,
      String path);

  void failed(
      long checkpointId, long timestampMillis, CheckpointFailureReason reason, String message);

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
