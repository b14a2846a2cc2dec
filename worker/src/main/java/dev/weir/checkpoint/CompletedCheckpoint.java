package dev.weir.checkpoint;

import dev.weir.proto.CheckpointMetadata;

/**
 * A checkpoint whose metadata is in storage: immutable.
 *
 * @param durationMillis from the trigger to the metadata written (the checkpoint is complete)
 * @param stateSizeBytes bytes written by all tasks
 * @param endToEndMillis from the trigger to the last acknowledgement: Flink's "end to end
 *     duration"; 0 for a checkpoint read back from storage
 */
public record CompletedCheckpoint(
    CheckpointMetadata metadata,
    String path,
    long durationMillis,
    long stateSizeBytes,
    long endToEndMillis) {

  public long checkpointId() {
    return metadata.getCheckpointId();
  }

  /** A savepoint: retention never deletes it. */
  public boolean isSavepoint() {
    return metadata.getSavepoint();
  }
}
