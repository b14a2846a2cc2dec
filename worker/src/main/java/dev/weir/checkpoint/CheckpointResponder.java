package dev.weir.checkpoint;

/** How tasks answer the checkpoint coordinator. Thread-safe; calls do not block. */
public interface CheckpointResponder {
  void acknowledge(TaskSnapshot snapshot);

  void decline(TaskId task, long checkpointId, String cause);
}
