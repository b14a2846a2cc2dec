package dev.weir.checkpoint;

import dev.weir.proto.CheckpointMetadata;

/**
 * A checkpoint whose metadata is in storage: immutable.
 *
 * @param durationMillis end-to-end, from trigger to metadata written
 * @param stateSizeBytes bytes written by all tasks
 */
public record CompletedCheckpoint(
    CheckpointMetadata metadata, String path, long durationMillis, long stateSizeBytes) {

  public long checkpointId() {
    return metadata.getCheckpointId();
  }

  /** A savepoint: retention never deletes it. */
  public boolean isSavepoint() {
    return metadata.getSavepoint();
  }
}
