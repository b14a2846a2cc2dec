package dev.weir.runtime;

import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.graph.JobGraph;
import dev.weir.graph.OperatorNode;
import dev.weir.graph.Stage;
import dev.weir.runtime.io.InputGate;
import dev.weir.runtime.io.OutputChannel;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.runtime.task.KeyedTask;
import dev.weir.runtime.task.SourceTask;
import dev.weir.runtime.task.Task;
import dev.weir.runtime.task.TaskContext;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.KeyedStateBackendFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Builds the task of one stage subtask of one attempt, wherever its channels lead: the part every
 * deployment shares.
 */
public final class SubtaskFactory {

  /** The restored state of one operator subtask; null when it starts fresh. */
  @FunctionalInterface
  public interface RestoreLookup {
    OperatorRestore restoreOf(String uid, int subtask);
  }

  private final JobSettings settings;
  private final int attempt;
  private final RestoreLookup restore;
  private final CompletedCheckpointStore checkpoints;
  private final KeyedStateBackendFactory backends;
  private final Path workDir;
  private final Executor asyncExecutor;
  private final TaskListener listener;
  private final CheckpointResponder responder;

  public SubtaskFactory(
      JobSettings settings,
      int attempt,
      RestoreLookup restore,
      CompletedCheckpointStore checkpoints,
      KeyedStateBackendFactory backends,
      Path workDir,
      Executor asyncExecutor,
      TaskListener listener,
      CheckpointResponder responder) {
    this.settings = settings;
    this.attempt = attempt;
    this.restore = restore;
    this.checkpoints = checkpoints;
    this.backends = backends;
    this.workDir = workDir;
    this.asyncExecutor = asyncExecutor;
    this.listener = listener;
    this.responder = responder;
  }

  /**
   * @param graph this subtask's own instance of the job graph
   * @param outputs channels to every subtask of the next stage, or null for the last stage
   * @param input the gate of this subtask's input channels, or null for stage 0
   */
  public Task create(
      JobGraph graph, int stage, int subtask, OutputChannel[] outputs, InputGate input) {
    Stage s = graph.stages().get(stage);
    RecordWriter writer = null;
    if (outputs != null) {
      writer =
          new RecordWriter(
              graph.stages().get(stage + 1).input(),
              outputs,
              settings.maxParallelism(),
              settings.bufferTimeout().toNanos());
    }
    Map<String, OperatorRestore> restored = new HashMap<>();
    for (OperatorNode node : s.operators()) {
      OperatorRestore r = restore.restoreOf(node.uid(), subtask);
      if (r != null) {
        restored.put(node.uid(), r);
      }
    }
    TaskId id = new TaskId(stage, subtask);
    TaskContext context =
        new TaskContext(
            settings.jobName(),
            settings.jobId(),
            id,
            settings.parallelism(),
            settings.maxParallelism(),
            attempt,
            settings.checkpoints(),
            checkpoints,
            backends,
            workDir.resolve("stage-" + stage).resolve(String.valueOf(subtask)),
            asyncExecutor,
            responder,
            listener,
            restored,
            settings.bufferTimeout().toNanos());
    return stage == 0
        ? new SourceTask(context, s, writer)
        : new KeyedTask(context, s, input, writer);
  }
}
