package dev.weir.runtime.task;

import dev.weir.api.RuntimeContext;
import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CheckpointingMode;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.state.KeyedStateBackendFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Everything a task needs from the runtime around it, fixed for one deployment attempt.
 *
 * @param restore state per operator uid; empty for a fresh start
 * @param workDir local directory for this task's state backends
 * @param asyncExecutor runs the asynchronous part of snapshots
 * @param checkpointConfig how the job checkpoints (mode, unaligned, alignment timeout)
 */
public record TaskContext(
    String jobName,
    String jobId,
    TaskId id,
    int parallelism,
    int maxParallelism,
    int attempt,
    CheckpointConfig checkpointConfig,
    CompletedCheckpointStore checkpoints,
    KeyedStateBackendFactory backendFactory,
    Path workDir,
    Executor asyncExecutor,
    CheckpointResponder responder,
    TaskListener listener,
    Map<String, OperatorRestore> restore,
    long bufferTimeoutNanos)
    implements RuntimeContext {

  public CheckpointingMode mode() {
    return checkpointConfig.mode();
  }

  /** Whether barriers overtake in-flight data (unaligned checkpoints). */
  public boolean unaligned() {
    return checkpointConfig.unaligned();
  }

  public OperatorRestore restoreOf(String uid) {
    return restore.getOrDefault(uid, OperatorRestore.EMPTY);
  }

  @Override
  public int subtaskIndex() {
    return id.subtask();
  }
}
