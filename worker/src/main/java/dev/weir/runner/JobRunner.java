package dev.weir.runner;

import dev.weir.checkpoint.CheckpointCoordinator;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.CorruptCheckpointException;
import dev.weir.checkpoint.Savepoints;
import dev.weir.concurrent.SingleThreadMainExecutor;
import dev.weir.config.JobSpec;
import dev.weir.graph.InvalidJobException;
import dev.weir.graph.JobGraph;
import dev.weir.graph.Stage;
import dev.weir.net.JobStatusService;
import dev.weir.net.RemoteDeployment;
import dev.weir.net.WorkerRegistry;
import dev.weir.query.StateQueryResult;
import dev.weir.query.StateQueryRouter;
import dev.weir.runtime.DeploymentFactory;
import dev.weir.runtime.JobMaster;
import dev.weir.runtime.JobSettings;
import dev.weir.runtime.JobStatus;
import dev.weir.runtime.LocalDeployment;
import dev.weir.runtime.SavepointOperations;
import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.backends.KeyedStateBackends;
import dev.weir.state.format.SnapshotVerifier;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import dev.weir.usercode.InvalidUserCodeException;
import dev.weir.usercode.UserCode;
import dev.weir.web.CoordinatorHttpServer;
import dev.weir.web.Health;
import dev.weir.web.JobOverview;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs a validated job inside this process: coordinator and job master on one main thread, every
 * task on its own thread (or in worker processes), checkpoints in the spec's storage.
 *
 * <p>Threading: the job's state is owned by the job master's main thread; the methods here hand
 * over to it or read thread-safe views, and may be called from any thread. {@link #close()} is
 * called once, by the thread that started the job.
 */
public final class JobRunner implements AutoCloseable {
  private final JobSpec spec;
  private final UserCode userCode;
  private final String jobId;
  private final Path workDir;
  private final CheckpointStorage storage;
  private final SingleThreadMainExecutor main;
  private final ExecutorService io;
  private final JobMaster jobMaster;
  // completed (exceptionally only) when an action of the main thread failed unexpectedly
  private final CompletableFuture<JobStatus> mainThreadFailure = new CompletableFuture<>();

  /** Where the tasks run. */
  public sealed interface Workers {
    /**
     * As threads of this process.
     *
     * @param apiPort port of the gRPC API on 127.0.0.1, 0 picks a free port
     */
    record InProcess(int apiPort) implements Workers {
      public InProcess() {
        this(0);
      }
    }

    /**
     * In worker processes that connect to this coordinator's control port.
     *
     * @param port 0 picks a free port
     */
    record Remote(String bindHost, int port, Duration heartbeatTimeout) implements Workers {}
  }

  private final WorkerRegistry registry;
  private final Server controlServer;
  private final CompletedCheckpointStore store;
  private final CredentialRedaction redaction = CredentialRedaction.fromEnvironment(System::getenv);
  private final CheckpointStatsTracker tracker;
  private final StateQueryRouter queryRouter;
  private final SavepointOperations savepointOperations;
  private CoordinatorHttpServer http;

  /** How long a state query waits for the owning task's answer. */
  public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

  /** Runs the tasks as threads of this process. */
  public JobRunner(JobSpec spec, String jobId, Path workDir) {
    this(spec, jobId, workDir, new Workers.InProcess());
  }

  /**
   * Loads the job's code itself ({@link UserCode#load}, its jar cached in {@code workDir/jars}).
   *
   * @throws InvalidJobException when the job's jar or entry class cannot be used
   */
  public JobRunner(JobSpec spec, String jobId, Path workDir, Workers workers) {
    this(spec, jobId, workDir, workers, loadUserCode(spec, workDir.resolve(JAR_CACHE)));
  }

  /**
   * @param jobId the job's directory in checkpoint storage; a restarted coordinator uses the same
   *     one and continues from the checkpoints it finds there
   * @param workDir local scratch space (RocksDB files), deleted on close
   * @param userCode the job's classes, loaded and checked; closed by {@link #close()}, when the job
   *     has ended
   */
  public JobRunner(JobSpec spec, String jobId, Path workDir, Workers workers, UserCode userCode) {
    this.spec = spec;
    this.userCode = userCode;
    this.jobId = jobId;
    this.workDir = workDir;
    this.storage = spec.storage().open();
    this.main =
        new SingleThreadMainExecutor(
            "job-master-" + spec.name(),
            failure ->
                mainThreadFailure.completeExceptionally(
                    new IllegalStateException(
                        "unexpected failure of the job master, the job cannot go on: " + failure,
                        failure)));
    this.io =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "snapshot-io");
              t.setDaemon(true);
              return t;
            });
    Supplier<JobGraph> graphs = graphFactory(spec, userCode);
    JobSettings settings = settings(spec, jobId);
    this.queryRouter =
        new StateQueryRouter(graphs.get(), spec.parallelism(), spec.maxParallelism());
    this.store = new CompletedCheckpointStore(storage, jobId);
    String[] stageNames = stageNames(graphs.get());
    this.tracker =
        new CheckpointStatsTracker(
            CheckpointStatsTracker.DEFAULT_HISTORY_LIMIT,
            redaction,
            stage -> stage < stageNames.length ? stageNames[stage] : null);
    KeyedStateBackendFactory backends = backendFactory(spec, store);
    JobMaster[] master = new JobMaster[1];
    this.savepointOperations =
        new SavepointOperations(stop -> master[0].triggerSavepoint(stop), main::currentTimeMillis);
    CheckpointCoordinator coordinator =
        new CheckpointCoordinator(
            spec.checkpoints(),
            spec.maxParallelism(),
            main,
            io,
            store,
            new CheckpointCoordinator.Listener() {
              @Override
              public void checkpointCompleted(CompletedCheckpoint c) {
                master[0].checkpointCompleted(c);
              }

              @Override
              public void tolerableFailuresExceeded(
                  long id, dev.weir.checkpoint.CheckpointFailureReason reason) {
                master[0].tolerableFailuresExceeded(id, reason);
              }
            },
            tracker);
    DeploymentFactory deployer;
    if (workers instanceof Workers.Remote remote) {
      int stages = graphs.get().stages().size();
      this.registry =
          new WorkerRegistry(
              spec.parallelism(), remote.heartbeatTimeout(), why -> master[0].failAttempt(why));
      try {
        this.controlServer =
            NettyServerBuilder.forAddress(new InetSocketAddress(remote.bindHost(), remote.port()))
                .callExecutor(WorkerRegistry.CONTROL_STREAMS_ON_TRANSPORT_THREAD)
                .addService(registry)
                .addService(
                    new JobStatusService(
                        spec.name(),
                        jobId,
                        spec.parallelism(),
                        () -> master[0],
                        tracker::snapshot,
                        redaction,
                        registry::connectedWorkers,
                        savepointOperations,
                        this::disposeSavepoint))
                .build()
                .start();
      } catch (IOException e) {
        throw new CannotListenException(remote.bindHost(), remote.port(), e);
      }
      deployer =
          (attempt, restore, listener, responder) ->
              new RemoteDeployment(
                  registry, attempt, spec.parallelism(), stages, restore, listener, responder);
    } else {
      this.registry = null;
      // no workers connect, but the API (status, savepoints) is served on a loopback port
      try {
        this.controlServer =
            NettyServerBuilder.forAddress(
                    new InetSocketAddress("127.0.0.1", ((Workers.InProcess) workers).apiPort()))
                .addService(
                    new JobStatusService(
                        spec.name(),
                        jobId,
                        spec.parallelism(),
                        () -> master[0],
                        tracker::snapshot,
                        redaction,
                        () -> spec.parallelism(),
                        savepointOperations,
                        this::disposeSavepoint))
                .build()
                .start();
      } catch (IOException e) {
        throw new CannotListenException("127.0.0.1", ((Workers.InProcess) workers).apiPort(), e);
      }
      deployer =
          (attempt, restore, listener, responder) ->
              new LocalDeployment(
                  settings,
                  graphs,
                  attempt,
                  restore,
                  store,
                  backends,
                  workDir.resolve("attempt-" + attempt),
                  io,
                  listener,
                  responder);
    }
    this.jobMaster =
        new JobMaster(
            settings,
            new HashSet<>(graphs.get().operatorUids()),
            main,
            coordinator,
            deployer,
            spec.restartStrategy().get(),
            snapshot -> SnapshotVerifier.verify(storage, snapshot.metadata()));
    master[0] = jobMaster;
  }

  /** The coordinator's gRPC port could not be opened (taken, or a bad address). */
  public static final class CannotListenException extends UncheckedIOException {
    CannotListenException(String host, int port, IOException cause) {
      super("cannot listen on " + host + ":" + port + ": " + rootMessage(cause), cause);
    }

    private static String rootMessage(Throwable failure) {
      Throwable root = failure;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root.getMessage() == null ? root.toString() : root.getMessage();
    }
  }

  /** The runtime settings a spec gives, the same in the coordinator and in every worker. */
  public static JobSettings settings(JobSpec spec, String jobId) {
    return new JobSettings(
        spec.name(),
        jobId,
        spec.parallelism(),
        spec.maxParallelism(),
        spec.checkpoints(),
        spec.stateBackend(),
        spec.allowNonRestoredState(),
        JobSettings.DEFAULT_BUFFER_TIMEOUT,
        JobSettings.DEFAULT_BUFFER_SIZE,
        JobSettings.DEFAULT_REMOTE_BUFFER_SIZE,
        JobSettings.DEFAULT_CREDITS);
  }

  /** Where a process keeps the jars it fetched, in its work directory. */
  public static final String JAR_CACHE = "jars";

  private static UserCode loadUserCode(JobSpec spec, Path jarCache) {
    try {
      return UserCode.load(spec.entryClass(), spec.jar(), jarCache);
    } catch (InvalidUserCodeException e) {
      throw new InvalidJobException(e.getMessage(), e);
    }
  }

  /**
   * Builds the job's graph anew for every subtask (each gets its own function instances), from the
   * job's own classes.
   */
  public static Supplier<JobGraph> graphFactory(JobSpec spec, UserCode userCode) {
    return () -> userCode.define(spec.args());
  }

  /** The keyed state backends of a job's tasks, with incremental checkpoints if configured. */
  public static KeyedStateBackendFactory backendFactory(
      JobSpec spec, CompletedCheckpointStore store) {
    return KeyedStateBackends.forKind(
        spec.stateBackend(), spec.checkpoints().incremental() ? store.sharedDirectory() : null);
  }

  /**
   * Starts the job from the latest completed checkpoint or savepoint of its job id, if any, else
   * from the spec's initial savepoint, if any.
   *
   * @return the job's terminal status, or exceptionally the unexpected failure of the job master
   *     that ended it (the job cannot be trusted to go on after one; the caller ends the process)
   */
  public CompletableFuture<JobStatus> start() {
    String savepoint = spec.initialSavepointPath();
    CompletableFuture<JobStatus> ended =
        jobMaster
            .recoverAndStart(
                store, savepoint == null ? null : () -> Savepoints.load(storage, savepoint))
            .applyToEither(mainThreadFailure, status -> status);
    if (registry != null) {
      ended.whenComplete((status, failure) -> registry.jobEnded());
    }
    return ended;
  }

  /**
   * Takes a savepoint of the running job; with {@code stop} the job then finishes. Any thread.
   *
   * @return the savepoint (its path is the location to restore from), or exceptionally why not
   */
  public CompletableFuture<CompletedCheckpoint> triggerSavepoint(boolean stop) {
    return jobMaster.triggerSavepoint(stop);
  }

  /** Savepoints requested by id (the gRPC API's idempotent view). */
  public SavepointOperations savepointOperations() {
    return savepointOperations;
  }

  /**
   * Deletes a savepoint in this job's storage (and drops it from the restore candidates). Any
   * thread; the storage I/O runs on the caller's thread.
   */
  public void disposeSavepoint(String location)
      throws StorageException, CorruptCheckpointException {
    CompletedCheckpoint savepoint = Savepoints.load(storage, location);
    jobMaster.forgetSavepoint(savepoint.checkpointId()).join();
    Savepoints.dispose(storage, location, savepoint);
  }

  /**
   * Looks up one key's value of a named keyed state: parses the key with the operator's key codec,
   * routes the query to the task owning the key's group and waits at most {@link #QUERY_TIMEOUT}
   * for its answer. Never changes state. Any thread; the future always completes normally.
   */
  public CompletableFuture<StateQueryResult> queryState(
      String operatorUid, String stateName, String key) {
    StateQueryRouter.Route route;
    try {
      route = queryRouter.route(operatorUid, stateName, key);
    } catch (StateQueryRouter.RejectedQueryException e) {
      return CompletableFuture.completedFuture(e.result());
    }
    CompletableFuture<StateQueryResult> answer = jobMaster.queryState(route.task(), route.query());
    // on the deployment's own future, so that it forgets the query once the time is up
    answer.orTimeout(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    return answer.handle(
        (result, error) -> {
          if (error == null) {
            return result;
          }
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          return cause instanceof TimeoutException
              ? new StateQueryResult.Rejected(
                  StateQueryResult.Reason.TIMED_OUT,
                  "task "
                      + route.task()
                      + " did not answer within "
                      + QUERY_TIMEOUT.toMillis()
                      + " ms (busy, backpressured or restoring)")
              : new StateQueryResult.Rejected(
                  StateQueryResult.Reason.FAILED, "task " + route.task() + ": " + cause);
        });
  }

  private static String[] stageNames(JobGraph graph) {
    return graph.stages().stream().map(Stage::name).toArray(String[]::new);
  }

  /**
   * Serves checkpoint statistics, job overview, Prometheus metrics, health and state queries over
   * HTTP (see docs/observability.md). Port 0 picks a free one.
   */
  public URI startHttp(String bindHost, int port) throws IOException {
    RateMeter in = new RateMeter(jobMaster::sourceRecords);
    http =
        CoordinatorHttpServer.start(
            new InetSocketAddress(bindHost, port),
            tracker::snapshot,
            () ->
                new JobOverview(
                    spec.name(),
                    jobMaster.reportedStatus(),
                    jobMaster.attempt(),
                    spec.parallelism(),
                    in.perSecond(),
                    null),
            () ->
                jobMaster.status() == JobStatus.FAILED
                    ? Health.unhealthy("job failed: " + jobMaster.failureCause())
                    : Health.ok(),
            redaction,
            this::queryState);
    return http.uri();
  }

  /** The port of the gRPC API (JobService) and, with remote workers, of their control streams. */
  public int controlPort() {
    return controlServer == null ? -1 : controlServer.getPort();
  }

  public JobMaster jobMaster() {
    return jobMaster;
  }

  /** The job's classes: their class loader is closed once this runner is. */
  public UserCode userCode() {
    return userCode;
  }

  /**
   * The job's checkpoint statistics now: what the gRPC API, the HTTP endpoints and the console
   * show. Any thread.
   */
  public CheckpointStatsSnapshot checkpointStats() {
    return tracker.snapshot();
  }

  public String jobId() {
    return jobId;
  }

  public CheckpointStorage storage() {
    return storage;
  }

  /**
   * Cancels the job. Workers that leave from now on (a Ctrl-C in a terminal reaches them too) are
   * expected to, not a loss to recover from. Any thread.
   */
  public void cancel() {
    if (registry != null) {
      registry.jobEnded();
    }
    jobMaster.cancel();
  }

  /**
   * How long {@link #close()} keeps the API up for callers that have not yet fetched the outcome of
   * their savepoint (a stop-with-savepoint ends the job, and with it the process, while its caller
   * is still polling for the path).
   */
  public static final Duration SAVEPOINT_OUTCOME_PICKUP = Duration.ofSeconds(10);

  @Override
  public void close() {
    try {
      savepointOperations.awaitOutcomesFetched(SAVEPOINT_OUTCOME_PICKUP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (http != null) {
      http.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (controlServer != null) {
      // calls in flight (the answer that hands a caller its savepoint) are still sent
      controlServer.shutdown();
      try {
        controlServer.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      controlServer.shutdownNow();
    }
    main.close();
    drainIo();
    storage.close();
    userCode.close(); // the job has ended: no task runs its code any more
    deleteQuietly(workDir);
  }

  /**
   * Lets queued storage work finish (deletions of checkpoints beyond retention and of shared files
   * no checkpoint references any more) before the storage closes, for a bounded time.
   */
  private void drainIo() {
    io.shutdown();
    try {
      if (!io.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
        io.shutdownNow();
      }
    } catch (InterruptedException e) {
      io.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      // scratch space only; a snapshot upload may still be removing its own files
    }
  }
}
