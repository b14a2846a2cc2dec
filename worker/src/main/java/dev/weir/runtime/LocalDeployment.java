package dev.weir.runtime;

import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.graph.JobGraph;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.io.Channel;
import dev.weir.runtime.io.InputGate;
import dev.weir.runtime.io.OutputChannel;
import dev.weir.runtime.task.SourceTask;
import dev.weir.runtime.task.Task;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.SnapshotType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Every task of a job as threads of this process, connected by in-process {@link Channel}s. The job
 * is defined once per subtask so that each has its own function instances.
 */
public final class LocalDeployment implements Deployment {
  private final List<Task> tasks = new ArrayList<>();
  private final Map<TaskId, Task> byId = new HashMap<>();
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
    SubtaskFactory factory =
        new SubtaskFactory(
            settings,
            attempt,
            (uid, subtask) -> restore.containsKey(uid) ? restore.get(uid).get(subtask) : null,
            checkpoints,
            backends,
            workDir,
            asyncExecutor,
            listener,
            responder);
    JobGraph[] graph = new JobGraph[parallelism];
    for (int i = 0; i < parallelism; i++) {
      graph[i] = graphs.get();
    }
    int stages = graph[0].stages().size();
    InputGate[][] gates = new InputGate[stages][parallelism];
    for (int s = 1; s < stages; s++) {
      for (int j = 0; j < parallelism; j++) {
        gates[s][j] = new InputGate(parallelism, settings.checkpoints().unaligned());
      }
    }
    for (int s = 0; s < stages; s++) {
      for (int i = 0; i < parallelism; i++) {
        OutputChannel[] outputs = null;
        if (s + 1 < stages) {
          outputs = new OutputChannel[parallelism];
          for (int j = 0; j < parallelism; j++) {
            outputs[j] = new Channel(i, gates[s + 1][j], settings.credits(), settings.bufferSize());
          }
        }
        Task task = factory.create(graph[i], s, i, outputs, gates[s][i]);
        if (task instanceof SourceTask source) {
          sources.put(task.id(), source);
        }
        tasks.add(task);
        byId.put(task.id(), task);
      }
    }
    tasks.forEach(Task::start);
  }

  @Override
  public CompletableFuture<Void> started() {
    return CompletableFuture.completedFuture(null);
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
      TaskId source, long checkpointId, long timestampMillis, boolean isFinal, SnapshotType type) {
    SourceTask task = sources.get(source);
    if (task != null) {
      task.triggerCheckpoint(checkpointId, timestampMillis, isFinal, type);
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
  public CompletableFuture<StateQueryResult> queryState(TaskId task, StateQuery query) {
    Task target = byId.get(task);
    if (target == null) {
      return CompletableFuture.completedFuture(
          new StateQueryResult.Rejected(
              StateQueryResult.Reason.FAILED, "this job has no task " + task));
    }
    return target.queryState(query);
  }

  @Override
  public void cancel() {
    cancelAndWait(tasks);
  }

  /** Cancels tasks and waits (bounded) until their threads ended. */
  static void cancelAndWait(List<Task> tasks) {
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
