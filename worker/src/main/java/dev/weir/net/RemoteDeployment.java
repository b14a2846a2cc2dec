package dev.weir.net;

import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.proto.runtime.Cancel;
import dev.weir.proto.runtime.CheckpointNotification;
import dev.weir.proto.runtime.CoordinatorMessage;
import dev.weir.proto.runtime.Deploy;
import dev.weir.proto.runtime.TaskEvent;
import dev.weir.proto.runtime.TriggerCheckpoint;
import dev.weir.proto.runtime.WorkerMessage;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.Deployment;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.SnapshotType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a job on remote workers: worker {@code i} runs subtask {@code i} of every stage.
 * Deploys once every worker is connected, relays checkpoint triggers, notifications and state
 * queries, and turns what workers report into task events, acknowledgements, declines and query
 * answers.
 *
 * <p>Threading: built on the job master's main thread; worker messages arrive on gRPC threads and
 * go to the listener and responder, which hop onto the main thread themselves.
 */
public final class RemoteDeployment implements Deployment {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteDeployment.class);

  private final WorkerRegistry registry;
  private final int attempt;
  private final int parallelism;
  private final int stages;
  private final TaskListener listener;
  private final CheckpointResponder responder;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final Set<Integer> deployed = ConcurrentHashMap.newKeySet();
  private final Map<Integer, CompletableFuture<Void>> cancelled = new ConcurrentHashMap<>();
  private volatile boolean cancelling;
  // state queries sent and not yet answered, by request id
  private final Map<Long, PendingQuery> queries = new ConcurrentHashMap<>();
  private final long deploymentId =
      java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

  public RemoteDeployment(
      WorkerRegistry registry,
      int attempt,
      int parallelism,
      int stages,
      Map<String, List<OperatorRestore>> restore,
      TaskListener listener,
      CheckpointResponder responder) {
    this.registry = registry;
    this.attempt = attempt;
    this.parallelism = parallelism;
    this.stages = stages;
    this.listener = listener;
    this.responder = responder;
    registry.setCurrent(this);
    registry.allRegistered().thenRun(() -> deploy(restore));
  }

  /** A state query sent to worker {@code worker}, waiting for its answer. */
  private record PendingQuery(int worker, CompletableFuture<StateQueryResult> result) {}

  private void deploy(Map<String, List<OperatorRestore>> restore) {
    if (cancelling) {
      return;
    }
    String[] addresses = new String[parallelism];
    for (int i = 0; i < parallelism; i++) {
      WorkerSession session = registry.session(i);
      if (session == null) {
        started.completeExceptionally(
            new IllegalStateException("worker " + i + " left before deploy"));
        return;
      }
      addresses[i] = session.dataAddress;
    }
    for (int i = 0; i < parallelism; i++) {
      Deploy.Builder deploy =
          Deploy.newBuilder()
              .setAttempt(attempt)
              .setDeploymentId(deploymentId)
              .addAllDataAddresses(List.of(addresses));
      int subtask = i;
      restore.forEach(
          (uid, perSubtask) ->
              deploy.addRestore(ProtoConversions.toProto(uid, perSubtask.get(subtask))));
      registry.session(i).send(CoordinatorMessage.newBuilder().setDeploy(deploy).build());
    }
    LOG.info("attempt {}: deployed to {} workers", attempt, parallelism);
  }

  /** A message from worker {@code index} (gRPC thread). */
  void onWorkerMessage(int index, WorkerMessage message) {
    switch (message.getKindCase()) {
      case DEPLOYED -> {
        if (message.getDeployed().getAttempt() == attempt
            && deployed.add(index)
            && deployed.size() == parallelism) {
          started.complete(null);
        }
      }
      case CANCELLED -> {
        if (message.getCancelled().getAttempt() == attempt) {
          cancelled.computeIfAbsent(index, k -> new CompletableFuture<>()).complete(null);
        }
      }
      case TASK_EVENT -> {
        TaskEvent event = message.getTaskEvent();
        if (event.getAttempt() != attempt) {
          return;
        }
        TaskId task = ProtoConversions.fromProto(event.getTask());
        switch (event.getKind()) {
          case SOURCE_FINISHED -> listener.sourceFinished(task);
          case TASK_FINISHED -> listener.taskFinished(task);
          default ->
              listener.taskFailed(
                  task,
                  ProtoConversions.failureKind(event),
                  new RemoteTaskException(event.getFailure()));
        }
      }
      case ACK -> {
        if (message.getAck().getAttempt() == attempt) {
          responder.acknowledge(ProtoConversions.fromProto(message.getAck()));
        }
      }
      case DECLINE -> {
        var decline = message.getDecline();
        if (decline.getAttempt() == attempt) {
          responder.decline(
              ProtoConversions.fromProto(decline.getTask()),
              decline.getCheckpointId(),
              decline.getCause());
        }
      }
      case QUERY_RESULT -> {
        var answer = message.getQueryResult();
        PendingQuery pending = queries.get(answer.getRequestId());
        if (pending != null && pending.worker() == index) {
          pending.result().complete(ProtoConversions.fromProto(answer));
        }
      }
      default -> {}
    }
  }

  void workerLost(int index) {
    cancelled.computeIfAbsent(index, k -> new CompletableFuture<>()).complete(null);
    rejectQueries(index, "worker " + index + " was lost");
    if (!started.isDone()) {
      started.completeExceptionally(
          new IllegalStateException("worker " + index + " was lost during deployment"));
    }
  }

  @Override
  public CompletableFuture<Void> started() {
    return started;
  }

  @Override
  public Set<TaskId> sources() {
    Set<TaskId> ids = new LinkedHashSet<>();
    for (int i = 0; i < parallelism; i++) {
      ids.add(new TaskId(0, i));
    }
    return ids;
  }

  @Override
  public Set<TaskId> allTasks() {
    Set<TaskId> ids = new LinkedHashSet<>();
    for (int s = 0; s < stages; s++) {
      for (int i = 0; i < parallelism; i++) {
        ids.add(new TaskId(s, i));
      }
    }
    return ids;
  }

  @Override
  public long sourceRecords() {
    long total = 0;
    for (int i = 0; i < parallelism; i++) {
      WorkerSession session = registry.session(i);
      if (session != null) {
        total += session.sourceRecords(attempt);
      }
    }
    return total;
  }

  /**
   * Sends the query to worker {@code task.subtask()} (worker i runs subtask i of every stage); its
   * answer completes the future. Unanswered queries are dropped when the future completes otherwise
   * (a caller's timeout), and rejected when the worker is lost or the attempt cancelled.
   */
  @Override
  public CompletableFuture<StateQueryResult> queryState(TaskId task, StateQuery query) {
    if (cancelling) {
      return unavailable("attempt " + attempt + " is being cancelled");
    }
    if (!started.isDone() || started.isCompletedExceptionally()) {
      return unavailable("the tasks of attempt " + attempt + " are not deployed yet");
    }
    int worker = task.subtask();
    WorkerSession session = registry.session(worker);
    if (session == null || session.isClosed()) {
      return unavailable("worker " + worker + " is not connected");
    }
    long id = registry.nextRequestId();
    CompletableFuture<StateQueryResult> result = new CompletableFuture<>();
    queries.put(id, new PendingQuery(worker, result));
    result.whenComplete((answer, error) -> queries.remove(id));
    session.send(
        CoordinatorMessage.newBuilder()
            .setQuery(ProtoConversions.toProto(id, attempt, task.stage(), query))
            .build());
    if (cancelling) {
      // cancel() may have rejected the pending queries before this one was added
      rejectQueries(worker, "attempt " + attempt + " was cancelled");
    }
    return result;
  }

  private static CompletableFuture<StateQueryResult> unavailable(String why) {
    return CompletableFuture.completedFuture(
        new StateQueryResult.Rejected(StateQueryResult.Reason.UNAVAILABLE, why));
  }

  /** Rejects the unanswered queries of one worker, or of every worker when {@code worker} < 0. */
  private void rejectQueries(int worker, String why) {
    for (PendingQuery pending : queries.values()) {
      if (worker < 0 || pending.worker() == worker) {
        pending
            .result()
            .complete(new StateQueryResult.Rejected(StateQueryResult.Reason.UNAVAILABLE, why));
      }
    }
  }

  private void sendTo(int index, CoordinatorMessage message) {
    WorkerSession session = registry.session(index);
    if (session != null) {
      session.send(message);
    }
  }

  private void broadcast(CoordinatorMessage message) {
    for (int i = 0; i < parallelism; i++) {
      sendTo(i, message);
    }
  }

  @Override
  public void triggerCheckpoint(
      TaskId source, long checkpointId, long timestampMillis, boolean isFinal, SnapshotType type) {
    sendTo(
        source.subtask(),
        CoordinatorMessage.newBuilder()
            .setTrigger(
                TriggerCheckpoint.newBuilder()
                    .setAttempt(attempt)
                    .setCheckpointId(checkpointId)
                    .setTimestampMs(timestampMillis)
                    .setIsFinal(isFinal)
                    .setSavepoint(type == SnapshotType.SAVEPOINT))
            .build());
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    notify(checkpointId, true);
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) {
    notify(checkpointId, false);
  }

  private void notify(long checkpointId, boolean complete) {
    broadcast(
        CoordinatorMessage.newBuilder()
            .setNotification(
                CheckpointNotification.newBuilder()
                    .setAttempt(attempt)
                    .setCheckpointId(checkpointId)
                    .setComplete(complete))
            .build());
  }

  /** Cancels the attempt on every connected worker and waits (bounded) until they stopped. */
  @Override
  public void cancel() {
    cancelling = true;
    rejectQueries(-1, "attempt " + attempt + " was cancelled");
    for (int i = 0; i < parallelism; i++) {
      WorkerSession session = registry.session(i);
      CompletableFuture<Void> done = cancelled.computeIfAbsent(i, k -> new CompletableFuture<>());
      if (session == null || session.isClosed()) {
        done.complete(null);
      } else {
        session.send(
            CoordinatorMessage.newBuilder()
                .setCancel(Cancel.newBuilder().setAttempt(attempt))
                .build());
      }
    }
    try {
      CompletableFuture.allOf(cancelled.values().toArray(CompletableFuture[]::new))
          .get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn(
          "attempt {}: not every worker confirmed the cancellation: {}", attempt, e.toString());
    }
  }
}
