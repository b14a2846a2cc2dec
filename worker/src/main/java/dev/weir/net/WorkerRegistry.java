package dev.weir.net;

import com.google.common.util.concurrent.MoreExecutors;
import dev.weir.proto.runtime.CoordinatorGrpc;
import dev.weir.proto.runtime.CoordinatorMessage;
import dev.weir.proto.runtime.Registered;
import dev.weir.proto.runtime.WorkerMessage;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's view of its workers: accepts their control streams, tracks heartbeats, detects
 * lost workers (broken stream or heartbeat timeout), and routes what they report to the current
 * {@link RemoteDeployment}. A worker that reconnects with the same index replaces its old session.
 *
 * <p>Threading: gRPC threads and one watchdog thread; state is in concurrent maps and volatile
 * fields; decisions about the job are posted to the job master by the callbacks.
 */
public final class WorkerRegistry extends CoordinatorGrpc.CoordinatorImplBase
    implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);

  private final int parallelism;
  private final Duration heartbeatTimeout;
  private final Consumer<String> onWorkerLost;
  private final Map<Integer, WorkerSession> sessions = new ConcurrentHashMap<>();
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "worker-watchdog");
            t.setDaemon(true);
            return t;
          });
  private volatile CompletableFuture<Void> allRegistered = new CompletableFuture<>();
  private volatile RemoteDeployment current;
  // set once the job has ended, is being cancelled or the registry closed: workers leaving then
  // are expected
  private volatile boolean jobEnded;
  // ids of state queries, unique across the deployments of this coordinator: a late answer to a
  // query of a cancelled deployment must not be taken for the answer to a newer one
  private final AtomicLong requestIds = new AtomicLong();

  /**
   * @param onWorkerLost told (with the reason) when a worker of the running deployment is lost
   */
  public WorkerRegistry(int parallelism, Duration heartbeatTimeout, Consumer<String> onWorkerLost) {
    this.parallelism = parallelism;
    this.heartbeatTimeout = heartbeatTimeout;
    this.onWorkerLost = onWorkerLost;
    long period = Math.max(100, heartbeatTimeout.toMillis() / 4);
    watchdog.scheduleAtFixedRate(this::checkHeartbeats, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs the workers' control streams on the transport's own thread: their callbacks never block
   * (they hand over to the job master or complete futures), and every acknowledgement saves a
   * thread hop. The coordinator's other calls (status, savepoints, disposal) keep the server's
   * executor: some of them block on storage.
   */
  public static final ServerCallExecutorSupplier CONTROL_STREAMS_ON_TRANSPORT_THREAD =
      new ServerCallExecutorSupplier() {
        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
          return CoordinatorGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())
              ? MoreExecutors.directExecutor()
              : null;
        }
      };

  /** Often enough to notice a silent worker well within the timeout, and to report progress. */
  private int heartbeatIntervalMillis() {
    return (int) Math.max(50, Math.min(200, heartbeatTimeout.toMillis() / 10));
  }

  /** Completes when every worker index has a live session. */
  CompletableFuture<Void> allRegistered() {
    return allRegistered;
  }

  WorkerSession session(int index) {
    return sessions.get(index);
  }

  long nextRequestId() {
    return requestIds.incrementAndGet();
  }

  /**
   * The job has ended (finished, cancelled, failed) or is being cancelled: workers that leave from
   * now on are expected to (their processes are being stopped), so they are no loss to recover from
   * and no warning. Any thread.
   */
  public void jobEnded() {
    jobEnded = true;
  }

  void setCurrent(RemoteDeployment deployment) {
    current = deployment;
  }

  public int connectedWorkers() {
    return (int) sessions.values().stream().filter(s -> !s.isClosed()).count();
  }

  private void checkHeartbeats() {
    long now = System.nanoTime();
    for (WorkerSession session : sessions.values()) {
      if (now - session.lastHeartbeatNanos() > heartbeatTimeout.toNanos()) {
        session.close("no heartbeat for " + heartbeatTimeout.toMillis() + " ms");
        lost(
            session,
            "worker "
                + session.index
                + " sent no heartbeat for "
                + heartbeatTimeout.toMillis()
                + " ms");
      }
    }
  }

  private synchronized void registered(WorkerSession session) {
    WorkerSession previous = sessions.put(session.index, session);
    if (previous != null) {
      previous.close("replaced by a new connection of worker " + session.index);
      lostQuietly(previous, "worker " + session.index + " reconnected");
    }
    LOG.info("worker {} registered (data at {})", session.index, session.dataAddress);
    if (sessions.size() == parallelism
        && sessions.values().stream().noneMatch(WorkerSession::isClosed)) {
      allRegistered.complete(null);
    }
  }

  private synchronized void lost(WorkerSession session, String why) {
    if (!sessions.remove(session.index, session)) {
      return; // already replaced or removed
    }
    lostQuietly(session, why);
  }

  private void lostQuietly(WorkerSession session, String why) {
    if (allRegistered.isDone()) {
      allRegistered = new CompletableFuture<>();
    }
    if (jobEnded) {
      LOG.info("{} (the job has ended or is being cancelled)", why);
    } else {
      LOG.warn("{}", why);
    }
    RemoteDeployment deployment = current;
    if (deployment != null) {
      deployment.workerLost(session.index);
    }
    if (!jobEnded) {
      onWorkerLost.accept(why);
    }
  }

  @Override
  public StreamObserver<WorkerMessage> connect(StreamObserver<CoordinatorMessage> out) {
    return new StreamObserver<>() {
      private WorkerSession session;

      @Override
      public void onNext(WorkerMessage message) {
        switch (message.getKindCase()) {
          case REGISTER -> {
            var r = message.getRegister();
            if (r.getWorkerIndex() >= parallelism) {
              out.onError(
                  io.grpc.Status.INVALID_ARGUMENT
                      .withDescription(
                          "worker index " + r.getWorkerIndex() + " >= parallelism " + parallelism)
                      .asRuntimeException());
              return;
            }
            session = new WorkerSession(r.getWorkerIndex(), r.getDataAddress(), out);
            session.send(
                CoordinatorMessage.newBuilder()
                    .setRegistered(
                        Registered.newBuilder()
                            .setParallelism(parallelism)
                            .setHeartbeatIntervalMs(heartbeatIntervalMillis()))
                    .build());
            registered(session);
          }
          case HEARTBEAT -> {
            if (session != null) {
              session.heartbeat(
                  message.getHeartbeat().getAttempt(), message.getHeartbeat().getSourceRecords());
            }
          }
          default -> {
            RemoteDeployment deployment = current;
            if (session != null && deployment != null) {
              if (message.hasTaskEvent()) {
                session.sourceRecords(
                    message.getTaskEvent().getAttempt(), message.getTaskEvent().getSourceRecords());
              }
              deployment.onWorkerMessage(session.index, message);
            }
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        if (session != null) {
          lost(session, "worker " + session.index + " disconnected: " + t.getMessage());
        }
      }

      @Override
      public void onCompleted() {
        if (session != null) {
          lost(session, "worker " + session.index + " closed its connection");
          try {
            out.onCompleted();
          } catch (RuntimeException alreadyClosed) {
            // nothing to do
          }
        }
      }
    };
  }

  @Override
  public void close() {
    jobEnded = true;
    watchdog.shutdownNow();
    sessions.values().forEach(s -> s.close("coordinator shutting down"));
  }
}
