package dev.weir.net;

import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.failure.FailureKind;
import dev.weir.graph.JobGraph;
import dev.weir.proto.runtime.Cancelled;
import dev.weir.proto.runtime.CheckpointDecline;
import dev.weir.proto.runtime.CoordinatorGrpc;
import dev.weir.proto.runtime.CoordinatorMessage;
import dev.weir.proto.runtime.Deploy;
import dev.weir.proto.runtime.Deployed;
import dev.weir.proto.runtime.Heartbeat;
import dev.weir.proto.runtime.QueryState;
import dev.weir.proto.runtime.Register;
import dev.weir.proto.runtime.TaskEvent;
import dev.weir.proto.runtime.TriggerCheckpoint;
import dev.weir.proto.runtime.WorkerMessage;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.JobSettings;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.SnapshotType;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process: connects to the coordinator, registers as worker {@code index}, and runs the
 * tasks of every attempt it is sent. When the connection breaks (coordinator restarted), it cancels
 * its tasks and reconnects with backoff; the new coordinator restores the job from storage. A
 * worker that has been without a coordinator for {@code reconnectTimeout} gives up ({@link
 * Ending#COORDINATOR_GONE}): its process ends, and whatever supervises it (Kubernetes, local mode)
 * decides what comes next, instead of a worker polling a coordinator that will never return.
 *
 * <p>Threading: {@link #run()} owns the connection loop on the caller's thread; control messages
 * are handled in order on one "worker-control" thread; tasks report from their own threads through
 * {@link #send}, which is synchronized. {@link #close()} may be called from any thread (a shutdown
 * hook) and more than once.
 */
public final class WorkerRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

  private final int index;
  private final String coordinator;
  private final String advertiseHost;
  private final JobSettings settings;
  private final Supplier<JobGraph> graphs;
  private final CompletedCheckpointStore checkpoints;
  private final KeyedStateBackendFactory backends;
  private final Path workDir;
  private final WorkerTransport transport = new WorkerTransport();
  private final DataServer dataServer;
  private final PeerConnections peers = new PeerConnections(transport);
  private final ExecutorService control =
      Executors.newSingleThreadExecutor(daemon("worker-control"));
  private final ExecutorService async = Executors.newCachedThreadPool(daemon("snapshot-io"));
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(daemon("worker-heartbeat"));
  private final Duration reconnectTimeout;
  private volatile boolean closed;
  private StreamObserver<WorkerMessage> out;
  private volatile WorkerDeployment deployment;
  // coordinator messages handed to the control thread and not handled yet
  private final AtomicInteger controlQueued = new AtomicInteger();

  public WorkerRuntime(
      int index,
      String coordinator,
      String bindHost,
      String advertiseHost,
      int dataPort,
      JobSettings settings,
      Supplier<JobGraph> graphs,
      CompletedCheckpointStore checkpoints,
      KeyedStateBackendFactory backends,
      Path workDir,
      Duration reconnectTimeout)
      throws java.io.IOException {
    if (reconnectTimeout.isZero() || reconnectTimeout.isNegative()) {
      throw new IllegalArgumentException("reconnectTimeout must be > 0, got " + reconnectTimeout);
    }
    this.reconnectTimeout = reconnectTimeout;
    this.index = index;
    this.coordinator = coordinator;
    this.advertiseHost = advertiseHost;
    this.settings = settings;
    this.graphs = graphs;
    this.checkpoints = checkpoints;
    this.backends = backends;
    this.workDir = workDir;
    this.dataServer = new DataServer(transport, bindHost, dataPort);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** How {@link #run()} ended. */
  public enum Ending {
    /** {@link #close()} was called. */
    CLOSED,
    /** No coordinator could be reached for the reconnect timeout. */
    COORDINATOR_GONE
  }

  /**
   * Connects, and reconnects after every loss, until {@link #close()} or until no coordinator could
   * be reached for the reconnect timeout. Blocks.
   */
  public Ending run() throws InterruptedException {
    Duration backoff = Duration.ofMillis(100);
    long connectedNanos = System.nanoTime(); // when this worker last had a coordinator
    while (!closed) {
      CountDownLatch ended = new CountDownLatch(1);
      // the stream's callbacks only hand messages to the control thread: they run on the
      // transport's own thread, one thread hop less for every trigger and notification
      ManagedChannel channel = transport.connection(coordinator).directExecutor().build();
      long left = reconnectTimeout.toNanos() - (System.nanoTime() - connectedNanos);
      boolean registered = session(channel, ended, Math.max(0, left));
      ended.await();
      channel.shutdownNow();
      if (registered) {
        connectedNanos = System.nanoTime();
      }
      if (!onControlThread(this::cancelDeployment)) {
        break; // closed meanwhile
      }
      if (closed) {
        break;
      }
      if (System.nanoTime() - connectedNanos >= reconnectTimeout.toNanos()) {
        return Ending.COORDINATOR_GONE; // the caller says so and ends the process
      }
      backoff =
          registered ? Duration.ofMillis(100) : min(backoff.multipliedBy(2), Duration.ofSeconds(2));
      LOG.info(
          "worker {}: connection to coordinator {} lost; reconnecting in {} ms",
          index,
          coordinator,
          backoff.toMillis());
      TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
    }
    return Ending.CLOSED;
  }

  /**
   * Hands {@code action} to the control thread.
   *
   * @return false when the control thread is shut down (the worker closed meanwhile)
   */
  private boolean onControlThread(Runnable action) {
    try {
      control.execute(
          () -> {
            try {
              action.run();
            } catch (RuntimeException e) {
              // the control thread goes on with the next message; this one's failure is loud
              LOG.error("worker {}: handling a control message failed", index, e);
            }
          });
      return true;
    } catch (RejectedExecutionException e) {
      if (!closed) {
        throw e;
      }
      return false;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  /**
   * Opens one control stream; returns whether it registered (waiting at most 30 s, and at most
   * {@code patienceNanos}), counts down {@code ended} on loss.
   */
  private boolean session(ManagedChannel channel, CountDownLatch ended, long patienceNanos)
      throws InterruptedException {
    CountDownLatch registered = new CountDownLatch(1);
    ScheduledFuture<?>[] heartbeat = new ScheduledFuture<?>[1];
    StreamObserver<WorkerMessage> stream =
        CoordinatorGrpc.newStub(channel)
            .connect(
                new StreamObserver<>() {
                  @Override
                  public void onNext(CoordinatorMessage message) {
                    if (message.hasRegistered()) {
                      long period = message.getRegistered().getHeartbeatIntervalMs();
                      heartbeat[0] =
                          timers.scheduleAtFixedRate(
                              WorkerRuntime.this::sendHeartbeat, 0, period, TimeUnit.MILLISECONDS);
                      registered.countDown();
                    } else if (!(message.hasTrigger()
                        && controlQueued.get() == 0
                        && trigger(message.getTrigger()))) {
                      controlQueued.incrementAndGet();
                      if (!onControlThread(
                          () -> {
                            try {
                              handle(message);
                            } finally {
                              controlQueued.decrementAndGet();
                            }
                          })) {
                        controlQueued.decrementAndGet();
                      }
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    end();
                  }

                  @Override
                  public void onCompleted() {
                    end();
                  }

                  private void end() {
                    if (heartbeat[0] != null) {
                      heartbeat[0].cancel(false);
                    }
                    ended.countDown();
                  }
                });
    synchronized (this) {
      out = stream;
    }
    send(
        WorkerMessage.newBuilder()
            .setRegister(
                Register.newBuilder()
                    .setVersion(2)
                    .setWorkerIndex(index)
                    .setDataAddress(advertiseHost + ":" + dataServer.port()))
            .build());
    // registered, or the stream already ended (coordinator not there): whichever comes first
    long deadline = System.nanoTime() + Math.min(TimeUnit.SECONDS.toNanos(30), patienceNanos);
    while (System.nanoTime() < deadline) {
      if (registered.await(50, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (ended.getCount() == 0) {
        return false;
      }
    }
    if (registered.getCount() > 0) {
      synchronized (this) {
        stream.onError(
            io.grpc.Status.DEADLINE_EXCEEDED
                .withDescription("no answer to the registration")
                .asRuntimeException());
      }
    }
    return registered.getCount() == 0;
  }

  private synchronized void send(WorkerMessage message) {
    if (out == null) {
      return;
    }
    try {
      out.onNext(message);
    } catch (RuntimeException e) {
      LOG.debug("worker {}: could not send {}: {}", index, message.getKindCase(), e.toString());
    }
  }

  private void sendHeartbeat() {
    WorkerDeployment current = deployment;
    send(
        WorkerMessage.newBuilder()
            .setHeartbeat(
                Heartbeat.newBuilder()
                    .setTimeMs(System.currentTimeMillis())
                    .setAttempt(current == null ? 0 : current.attempt())
                    .setSourceRecords(current == null ? 0 : current.sourceRecords()))
            .build());
  }

  /** Runs on the control thread, in the order the coordinator sent. */
  private void handle(CoordinatorMessage message) {
    switch (message.getKindCase()) {
      case DEPLOY -> deploy(message.getDeploy());
      case CANCEL -> {
        int attempt = message.getCancel().getAttempt();
        if (deployment != null && deployment.attempt() == attempt) {
          cancelDeployment();
        }
        send(
            WorkerMessage.newBuilder()
                .setCancelled(Cancelled.newBuilder().setAttempt(attempt))
                .build());
      }
      case TRIGGER -> trigger(message.getTrigger());
      case NOTIFICATION -> {
        var n = message.getNotification();
        if (deployment != null && deployment.attempt() == n.getAttempt()) {
          deployment.notifyCheckpoint(n.getCheckpointId(), n.getComplete());
        }
      }
      case QUERY -> query(message.getQuery());
      default -> {}
    }
  }

  /**
   * Hands a trigger to the source task's mailbox, if this worker runs the trigger's attempt. Called
   * on the transport thread when no earlier message of the coordinator still waits for the control
   * thread (so a trigger never overtakes the deployment it is for), else on the control thread.
   *
   * @return whether the deployment of the trigger's attempt was there to take it
   */
  private boolean trigger(TriggerCheckpoint t) {
    WorkerDeployment current = deployment;
    if (current == null || current.attempt() != t.getAttempt()) {
      return false;
    }
    if (current.source() != null) {
      current
          .source()
          .triggerCheckpoint(
              t.getCheckpointId(),
              t.getTimestampMs(),
              t.getIsFinal(),
              t.getSavepoint() ? SnapshotType.SAVEPOINT : SnapshotType.CHECKPOINT);
    }
    return true;
  }

  /**
   * Hands a state query to the task that owns the key; the answer is sent from whichever thread
   * completes it (the task thread), so that a slow task never holds up the control thread.
   */
  private void query(QueryState query) {
    WorkerDeployment current = deployment;
    CompletableFuture<StateQueryResult> result =
        current != null && current.attempt() == query.getAttempt()
            ? current.queryState(query.getStage(), ProtoConversions.fromProto(query))
            : CompletableFuture.completedFuture(
                new StateQueryResult.Rejected(
                    StateQueryResult.Reason.UNAVAILABLE,
                    "worker " + index + " does not run attempt " + query.getAttempt()));
    long id = query.getRequestId();
    result.whenComplete(
        (answer, error) ->
            send(
                WorkerMessage.newBuilder()
                    .setQueryResult(
                        ProtoConversions.toProto(
                            id,
                            error == null
                                ? answer
                                : new StateQueryResult.Rejected(
                                    StateQueryResult.Reason.FAILED, error.toString())))
                    .build()));
  }

  private void deploy(Deploy deploy) {
    cancelDeployment();
    int attempt = deploy.getAttempt();
    Map<String, OperatorRestore> restore = new HashMap<>();
    deploy.getRestoreList().forEach(r -> restore.put(r.getUid(), ProtoConversions.fromProto(r)));
    deployment =
        new WorkerDeployment(
            attempt,
            deploy.getDeploymentId(),
            index,
            settings,
            graphs.get(),
            restore,
            deploy.getDataAddressesList(),
            dataServer,
            peers,
            checkpoints,
            backends,
            // named by the deployment too: a restarted coordinator counts attempts from 0 again,
            // and a cancelled deployment may still be closing (clearing) its own directory
            workDir.resolve("attempt-" + attempt + "-" + deploy.getDeploymentId()),
            async,
            listener(attempt),
            responder(attempt));
    LOG.info("worker {}: running attempt {}", index, attempt);
    send(WorkerMessage.newBuilder().setDeployed(Deployed.newBuilder().setAttempt(attempt)).build());
  }

  private void cancelDeployment() {
    if (deployment != null) {
      deployment.cancel();
      deployment = null;
    }
  }

  private TaskListener listener(int attempt) {
    return new TaskListener() {
      @Override
      public void sourceFinished(TaskId task) {
        event(task, TaskEvent.Kind.SOURCE_FINISHED);
      }

      @Override
      public void taskFinished(TaskId task) {
        event(task, TaskEvent.Kind.TASK_FINISHED);
      }

      @Override
      public void taskFailed(TaskId task, FailureKind failureKind, Throwable cause) {
        LOG.warn("worker {}: {} failed ({})", index, task, failureKind, cause);
        event(task, TaskEvent.Kind.TASK_FAILED, failureKind, cause);
      }

      private void event(TaskId task, TaskEvent.Kind kind) {
        event(task, kind, null, null);
      }

      @SuppressWarnings("deprecation") // the deprecated fields: for coordinators of version 1
      private void event(
          TaskId task, TaskEvent.Kind kind, FailureKind failureKind, Throwable cause) {
        TaskEvent.Builder event =
            TaskEvent.newBuilder()
                .setAttempt(attempt)
                .setTask(ProtoConversions.toProto(task))
                .setKind(kind)
                .setSourceRecords(sourceRecords(attempt));
        if (cause != null) {
          event
              .setFailure(describe(cause))
              .setFailureKind(ProtoConversions.toProto(failureKind))
              .setRestoreFailure(failureKind == FailureKind.STATE_UNREADABLE)
              .setUnreachableStorage(failureKind == FailureKind.STORAGE_UNREACHABLE);
        }
        send(WorkerMessage.newBuilder().setTaskEvent(event).build());
      }
    };
  }

  /** Records the source subtask of {@code attempt} read, or 0 when another attempt runs. */
  private long sourceRecords(int attempt) {
    WorkerDeployment current = deployment;
    return current == null || current.attempt() != attempt ? 0 : current.sourceRecords();
  }

  private CheckpointResponder responder(int attempt) {
    return new CheckpointResponder() {
      @Override
      public void acknowledge(TaskSnapshot snapshot) {
        send(
            WorkerMessage.newBuilder().setAck(ProtoConversions.toProto(snapshot, attempt)).build());
      }

      @Override
      public void decline(TaskId task, long checkpointId, String cause) {
        send(
            WorkerMessage.newBuilder()
                .setDecline(
                    CheckpointDecline.newBuilder()
                        .setAttempt(attempt)
                        .setTask(ProtoConversions.toProto(task))
                        .setCheckpointId(checkpointId)
                        .setCause(cause))
                .build());
      }
    };
  }

  private static String describe(Throwable cause) {
    StringBuilder sb = new StringBuilder(cause.toString());
    for (Throwable t = cause.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      sb.append("; caused by ").append(t);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (out != null) {
        try {
          out.onCompleted();
        } catch (RuntimeException ignored) {
          // already closed
        }
      }
    }
    onControlThread(this::cancelDeployment);
    control.shutdown();
    timers.shutdownNow();
    async.shutdownNow();
    dataServer.close();
    peers.close();
    transport.close();
  }
}
