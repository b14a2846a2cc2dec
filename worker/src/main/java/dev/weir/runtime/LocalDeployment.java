package dev.weir.runtime;

import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.graph.JobGraph;
import dev.weir.graph.OperatorNode;
import dev.weir.graph.Stage;
import dev.weir.runtime.io.Channel;
import dev.weir.runtime.io.InputGate;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.runtime.task.KeyedTask;
import dev.weir.runtime.task.SourceTask;
import dev.weir.runtime.task.Task;
import dev.weir.runtime.task.TaskContext;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.KeyedStateBackendFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Every task of a job as threads of this process, connected by in-process {@link Channel}s. The job
 * is defined once per subtask so that each has its own function instances.
 */
public final class LocalDeployment implements Deployment {
  private final List<Task> tasks = new ArrayList<>();
  private final Map<TaskId, SourceTask> sources = new HashMap<>();

  public LocalDeployment(
      JobSettings settings,
      Supplier<JobGraph> graphs,
      int attempt,
      Map<String, List<OperatorRestore>> restore,
      CompletedCheckpointStore checkpoints,
      KeyedStateBackendFactory backends,
      Path workDir,
      Executor asyncExecutor,
      TaskListener listener,
      CheckpointResponder responder) {
    int parallelism = settings.parallelism();
    JobGraph[] graph = new JobGraph[parallelism];
    for (int i = 0; i < parallelism; i++) {
      graph[i] = graphs.get();
    }
    int stages = graph[0].stages().size();
    InputGate[][] gates = new InputGate[stages][parallelism];
    for (int s = 1; s < stages; s++) {
      for (int j = 0; j < parallelism; j++) {
        gates[s][j] = new InputGate(parallelism);
      }
    }
    for (int s = 0; s < stages; s++) {
      for (int i = 0; i < parallelism; i++) {
        Stage stage = graph[i].stages().get(s);
        RecordWriter writer = null;
        if (s + 1 < stages) {
          Channel[] channels = new Channel[parallelism];
          for (int j = 0; j < parallelism; j++) {
            channels[j] =
                new Channel(i, gates[s + 1][j], settings.credits(), settings.bufferSize());
          }
          writer =
              new RecordWriter(
                  graph[i].stages().get(s + 1).input(),
                  channels,
                  settings.maxParallelism(),
                  settings.bufferTimeout().toNanos());
        }
        TaskId id = new TaskId(s, i);
        TaskContext context =
            new TaskContext(
                settings.jobName(),
                id,
                parallelism,
                settings.maxParallelism(),
                attempt,
                settings.checkpoints().mode(),
                checkpoints,
                backends,
                workDir.resolve("stage-" + s).resolve(String.valueOf(i)),
                asyncExecutor,
                responder,
                listener,
                restoreOf(stage, restore, i),
                settings.bufferTimeout().toNanos());
        if (s == 0) {
          SourceTask task = new SourceTask(context, stage, writer);
          sources.put(id, task);
          tasks.add(task);
        } else {
          tasks.add(new KeyedTask(context, stage, gates[s][i], writer));
        }
      }
    }
    tasks.forEach(Task::start);
  }

  private static Map<String, OperatorRestore> restoreOf(
      Stage stage, Map<String, List<OperatorRestore>> restore, int subtask) {
    Map<String, OperatorRestore> mine = new HashMap<>();
    for (OperatorNode node : stage.operators()) {
      List<OperatorRestore> perSubtask = restore.get(node.uid());
      if (perSubtask != null) {
        mine.put(node.uid(), perSubtask.get(subtask));
      }
    }
    return mine;
  }

  @Override
  public Set<TaskId> sources() {
    return Set.copyOf(sources.keySet());
  }

  @Override
  public Set<TaskId> allTasks() {
    Set<TaskId> ids = new LinkedHashSet<>();
    tasks.forEach(t -> ids.add(t.id()));
    return ids;
  }

  @Override
  public long sourceRecords() {
    long total = 0;
    for (SourceTask task : sources.values()) {
      total += task.recordsProcessed();
    }
    return total;
  }

  @Override
  public void triggerCheckpoint(
      TaskId source, long checkpointId, long timestampMillis, boolean isFinal) {
    SourceTask task = sources.get(source);
    if (task != null) {
      task.triggerCheckpoint(checkpointId, timestampMillis, isFinal);
    }
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    tasks.forEach(t -> t.notifyCheckpointComplete(checkpointId));
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) {
    tasks.forEach(t -> t.notifyCheckpointAborted(checkpointId));
  }

  @Override
  public void cancel() {
    tasks.forEach(Task::cancel);
    for (Task task : tasks) {
      try {
        task.awaitTermination(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
