package dev.weir.net;

import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.graph.JobGraph;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.JobSettings;
import dev.weir.runtime.SubtaskFactory;
import dev.weir.runtime.io.Channel;
import dev.weir.runtime.io.InputGate;
import dev.weir.runtime.io.OutputChannel;
import dev.weir.runtime.task.SourceTask;
import dev.weir.runtime.task.Task;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.KeyedStateBackendFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The tasks of one attempt on one worker: subtask {@code index} of every stage. The channel to the
 * same worker's next stage is in-process; channels to other workers are gRPC streams.
 */
final class WorkerDeployment {
  private final int attempt;
  private final long deploymentId;
  private final List<Task> tasks = new ArrayList<>(); // by stage
  private final DataServer dataServer;
  private SourceTask source;

  WorkerDeployment(
      int attempt,
      long deploymentId,
      int index,
      JobSettings settings,
      JobGraph graph,
      Map<String, OperatorRestore> restore,
      List<String> dataAddresses,
      DataServer dataServer,
      PeerConnections peers,
      CompletedCheckpointStore checkpoints,
      KeyedStateBackendFactory backends,
      Path workDir,
      Executor asyncExecutor,
      TaskListener listener,
      CheckpointResponder responder) {
    this.attempt = attempt;
    this.deploymentId = deploymentId;
    this.dataServer = dataServer;
    int parallelism = settings.parallelism();
    int stages = graph.stages().size();
    SubtaskFactory factory =
        new SubtaskFactory(
            settings,
            attempt,
            (uid, subtask) -> restore.get(uid),
            checkpoints,
            backends,
            workDir,
            asyncExecutor,
            listener,
            responder);
    InputGate[] gates = new InputGate[stages];
    Channel[] localInputs = new Channel[stages];
    for (int s = 1; s < stages; s++) {
      gates[s] = new InputGate(parallelism, settings.checkpoints().unaligned());
      for (int sender = 0; sender < parallelism; sender++) {
        if (sender == index) {
          localInputs[s] = new Channel(index, gates[s], settings.credits(), settings.bufferSize());
        } else {
          dataServer.register(
              new ChannelKey(deploymentId, s, sender, index),
              new RemoteInputChannel(
                  sender, gates[s], settings.credits(), settings.remoteBufferSize()));
        }
      }
    }
    for (int s = 0; s < stages; s++) {
      OutputChannel[] outputs = null;
      if (s + 1 < stages) {
        outputs = new OutputChannel[parallelism];
        for (int receiver = 0; receiver < parallelism; receiver++) {
          outputs[receiver] =
              receiver == index
                  ? localInputs[s + 1]
                  : new RemoteOutputChannel(
                      peers.connection(dataAddresses.get(receiver)),
                      dataAddresses.get(receiver),
                      new ChannelKey(deploymentId, s + 1, index, receiver),
                      settings.remoteBufferSize());
        }
      }
      Task task = factory.create(graph, s, index, outputs, gates[s]);
      if (task instanceof SourceTask st) {
        source = st;
      }
      tasks.add(task);
    }
    tasks.forEach(Task::start);
  }

  int attempt() {
    return attempt;
  }

  SourceTask source() {
    return source;
  }

  long sourceRecords() {
    return source == null ? 0 : source.recordsProcessed();
  }

  /** Hands a state query to this worker's task of {@code stage}. Any thread. */
  CompletableFuture<StateQueryResult> queryState(int stage, StateQuery query) {
    if (stage < 0 || stage >= tasks.size()) {
      return CompletableFuture.completedFuture(
          new StateQueryResult.Rejected(
              StateQueryResult.Reason.FAILED, "the job has no stage " + stage));
    }
    return tasks.get(stage).queryState(query);
  }

  void notifyCheckpoint(long checkpointId, boolean complete) {
    for (Task task : tasks) {
      if (complete) {
        task.notifyCheckpointComplete(checkpointId);
      } else {
        task.notifyCheckpointAborted(checkpointId);
      }
    }
  }

  /** Stops every task and waits (bounded) for their threads; forgets the attempt's channels. */
  void cancel() {
    tasks.forEach(Task::cancel);
    for (Task task : tasks) {
      try {
        task.awaitTermination(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    dataServer.unregisterDeployment(deploymentId);
  }
}
