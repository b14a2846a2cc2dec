package dev.weir.runtime;

import dev.weir.checkpoint.CheckpointCoordinator;
import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.CorruptCheckpointException;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.StateAssignment;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.concurrent.MainThreadExecutor;
import dev.weir.failure.FailureKind;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.StateRestoreException;
import dev.weir.storage.StorageException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job through its life: deploys the tasks (restoring the latest completed checkpoint, whose
 * every file is verified first), fails over on a task failure or too many failed checkpoints as
 * {@link FailoverPolicy} decides from the failure's {@link FailureKind} (restart per the restart
 * strategy, fall back to an older checkpoint, or fail), and finishes once every task has committed
 * its output.
 *
 * <p>Threading: all state is owned by the main thread; task callbacks hop onto it.
 */
public final class JobMaster implements CheckpointCoordinator.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(JobMaster.class);

  private final JobSettings settings;
  private final Set<String> operatorUids;
  private final MainThreadExecutor main;
  private final CheckpointCoordinator coordinator;
  private final DeploymentFactory deployer;
  private final FailoverPolicy failoverPolicy;
  private final RestoreVerifier verifier;
  private final CompletableFuture<JobStatus> result = new CompletableFuture<>();

  private volatile JobStatus status = JobStatus.CREATED;

  /** The current attempt's deployment has started: every task runs, checkpoints are taken. */
  private volatile boolean deploymentStarted;

  private volatile Deployment deployment;
  private volatile int attempt = -1;
  private volatile Throwable failureCause;
  private volatile Long restoredFrom;
  private volatile String restoredFromPath;
  private volatile long runningSinceNanos;
  private int finishedSources;
  private int finishedTasks;

  public JobMaster(
      JobSettings settings,
      Set<String> operatorUids,
      MainThreadExecutor main,
      CheckpointCoordinator coordinator,
      DeploymentFactory deployer,
      RestartStrategy restartStrategy,
      RestoreVerifier verifier) {
    this.settings = settings;
    this.operatorUids = Set.copyOf(operatorUids);
    this.main = main;
    this.coordinator = coordinator;
    this.deployer = deployer;
    this.failoverPolicy = new FailoverPolicy(restartStrategy);
    this.verifier = verifier;
  }

  /**
   * Checks that every file a snapshot references reads back as recorded, before any task of the
   * attempt restoring it runs (and so before any sink commits or rolls back output).
   */
  @FunctionalInterface
  public interface RestoreVerifier {
    /**
     * @throws StateRestoreException naming the file that is missing, truncated or corrupt (a
     *     storage that cannot be reached is its cause)
     */
    void verify(CompletedCheckpoint snapshot) throws StateRestoreException;
  }

  /** Starts the job; the future completes with its terminal status. */
  public CompletableFuture<JobStatus> start() {
    main.execute(() -> deploy(0));
    return result;
  }

  /**
   * Starts the job from the completed checkpoints found in storage (a restarted coordinator): the
   * newest readable one is restored, unreadable ones are skipped with an error, and checkpoint ids
   * continue after every id found.
   */
  public CompletableFuture<JobStatus> recoverAndStart(CompletedCheckpointStore store) {
    return recoverAndStart(store, null);
  }

  /**
   * Starts the job from the newest readable checkpoint or savepoint of its job id in storage (a
   * restarted coordinator continues where it was); when there is none, from {@code
   * initialSavepoint} if given, else without state. Checkpoint ids continue after every id found
   * and after the savepoint's. A savepoint that cannot be read fails the job with a message naming
   * the file, before any task runs.
   *
   * @param initialSavepoint a savepoint read from storage, or null
   */
  public CompletableFuture<JobStatus> recoverAndStart(
      CompletedCheckpointStore store, InitialSavepoint initialSavepoint) {
    main.execute(
        () -> {
          try {
            List<Long> ids = store.completedIds();
            List<Long> savepointIds = store.savepointIds();
            List<CompletedCheckpoint> readable = new ArrayList<>();
            for (long id : ids) {
              try {
                readable.add(
                    new CompletedCheckpoint(
                        store.readMetadata(id),
                        store.storage().describe(store.metadataPath(id)),
                        0,
                        0,
                        0));
              } catch (CorruptCheckpointException e) {
                LOG.error("checkpoint {} is unreadable, skipping it: {}", id, e.getMessage());
              }
            }
            for (long id : savepointIds) {
              try {
                readable.add(
                    new CompletedCheckpoint(
                        store.readSavepointMetadata(id),
                        store.storage().describe(store.savepointDirectory(id)),
                        0,
                        0,
                        0));
              } catch (CorruptCheckpointException e) {
                LOG.error("savepoint {} is unreadable, skipping it: {}", id, e.getMessage());
              }
            }
            coordinator.advanceCheckpointIdPast(store.highestIdSeen());
            if (!ids.isEmpty() || !savepointIds.isEmpty()) {
              LOG.info(
                  "found completed checkpoints {} and savepoints {} in storage", ids, savepointIds);
            }
            coordinator.recoverCompleted(readable);
            if (readable.isEmpty() && initialSavepoint != null) {
              CompletedCheckpoint savepoint = initialSavepoint.load();
              LOG.info(
                  "starting from savepoint {} ({})", savepoint.checkpointId(), savepoint.path());
              coordinator.restoreFromSavepoint(savepoint);
            } else if (initialSavepoint != null) {
              LOG.info(
                  "job {} has snapshots of its own in storage: restoring the newest of them, not"
                      + " the initial savepoint",
                  settings.jobId());
            }
          } catch (StorageException | CorruptCheckpointException e) {
            fail(e);
            return;
          }
          deploy(0);
        });
    return result;
  }

  /** A savepoint to start from, read when the job starts. */
  @FunctionalInterface
  public interface InitialSavepoint {
    CompletedCheckpoint load() throws StorageException, CorruptCheckpointException;
  }

  /**
   * Takes a savepoint of the running job; with {@code stop}, the job finishes after it (sinks
   * commit). Any thread.
   *
   * @return the savepoint, or exceptionally a {@link dev.weir.checkpoint.SavepointFailedException}
   */
  public CompletableFuture<CompletedCheckpoint> triggerSavepoint(boolean stop) {
    CompletableFuture<CompletedCheckpoint> result = new CompletableFuture<>();
    main.execute(
        () -> {
          if (status != JobStatus.RUNNING) {
            result.completeExceptionally(
                new dev.weir.checkpoint.SavepointFailedException(
                    "the job is " + status + ", not RUNNING: no savepoint can be taken now"));
            return;
          }
          coordinator
              .triggerSavepoint(stop)
              .whenComplete(
                  (savepoint, error) -> {
                    if (error != null) {
                      result.completeExceptionally(error);
                    } else {
                      result.complete(savepoint);
                    }
                  });
        });
    return result;
  }

  /** Drops a savepoint from the restore candidates (it is being disposed). Any thread. */
  public CompletableFuture<Void> forgetSavepoint(long checkpointId) {
    return CompletableFuture.runAsync(
        () -> {
          if (coordinator.retainedCheckpoints().stream()
              .anyMatch(c -> c.checkpointId() == checkpointId && c.isSavepoint())) {
            coordinator.forget(checkpointId);
          }
        },
        main::execute);
  }

  /** Something outside the tasks failed the attempt (a worker was lost). Any thread. */
  public void failAttempt(String why) {
    main.execute(() -> failover(why, FailureKind.INFRASTRUCTURE, new IllegalStateException(why)));
  }

  /** Stops the job without committing anything further. Any thread. */
  public void cancel() {
    main.execute(
        () -> {
          if (!status.isTerminal()) {
            coordinator.stop();
            if (deployment != null) {
              deployment.cancel();
            }
            terminate(JobStatus.CANCELLED);
          }
        });
  }

  public JobStatus status() {
    return status;
  }

  /**
   * The status as the job's observers (the operator, the console, the CLI) are told it: RUNNING
   * only once the current attempt's deployment has started (its tasks run and savepoints can be
   * taken); while an attempt is still being deployed, CREATED for the first and RESTARTING for a
   * later one. An operator that saw RUNNING earlier called the job Ready, and the savepoint it then
   * asked for (an upgrade's, a deletion's) failed with "not running".
   */
  public JobStatus reportedStatus() {
    JobStatus now = status;
    if (now == JobStatus.RUNNING && !deploymentStarted) {
      return attempt <= 0 ? JobStatus.CREATED : JobStatus.RESTARTING;
    }
    return now;
  }

  public int attempt() {
    return attempt;
  }

  public Throwable failureCause() {
    return failureCause;
  }

  /** When the first attempt had all its tasks deployed (System.nanoTime), 0 before. */
  public long runningSinceNanos() {
    return runningSinceNanos;
  }

  /** The checkpoint the current attempt restored, or null when it started without state. */
  public Long restoredCheckpointId() {
    return restoredFrom;
  }

  /** Where the current attempt's state came from (checkpoint metadata or savepoint), or null. */
  public String restoredFromPath() {
    return restoredFromPath;
  }

  /** Records read by the sources of the current attempt. */
  public long sourceRecords() {
    Deployment current = deployment;
    return current == null ? 0 : current.sourceRecords();
  }

  /**
   * Looks up one key of a keyed state in the task of the current attempt that owns it. Any thread.
   * Rejected as {@link StateQueryResult.Reason#UNAVAILABLE} unless the job is running.
   */
  public CompletableFuture<StateQueryResult> queryState(TaskId task, StateQuery query) {
    Deployment current = deployment;
    JobStatus now = status;
    if (now != JobStatus.RUNNING || current == null) {
      return CompletableFuture.completedFuture(
          new StateQueryResult.Rejected(
              StateQueryResult.Reason.UNAVAILABLE, "the job is not running (it is " + now + ")"));
    }
    return current.queryState(task, query);
  }

  private void deploy(int nextAttempt) {
    if (status.isTerminal()) {
      return;
    }
    attempt = nextAttempt;
    finishedSources = 0;
    finishedTasks = 0;
    Map<String, List<OperatorRestore>> restore = Map.of();
    restoredFrom = null;
    restoredFromPath = null;
    List<CompletedCheckpoint> candidates = new ArrayList<>(coordinator.retainedCheckpoints());
    Collections.reverse(candidates);
    if (!candidates.isEmpty()) {
      CompletedCheckpoint latest = candidates.get(0);
      restoredFrom = latest.checkpointId();
      restoredFromPath = latest.path();
      try {
        verifier.verify(latest);
      } catch (StateRestoreException e) {
        LOG.warn(
            "attempt {}: {} {} cannot be restored: {}",
            nextAttempt,
            latest.isSavepoint() ? "savepoint" : "checkpoint",
            restoredFrom,
            e.getMessage());
        status = JobStatus.RESTARTING;
        recover(FailureKind.of(e), e);
        return;
      }
      try {
        restore =
            StateAssignment.assign(
                latest.metadata(),
                operatorUids,
                settings.parallelism(),
                settings.maxParallelism(),
                settings.allowNonRestoredState());
      } catch (IllegalStateException e) {
        fail(e);
        return;
      }
      coordinator.noteRestored(latest);
      LOG.info(
          "attempt {}: restoring from "
              + (latest.isSavepoint() ? "savepoint" : "checkpoint")
              + " {} ({})",
          nextAttempt,
          restoredFrom,
          latest.path());
    } else {
      LOG.info("attempt {}: starting without state", nextAttempt);
    }
    status = JobStatus.RUNNING;
    deploymentStarted = false;
    Deployment started =
        deployer.deploy(
            nextAttempt, restore, new AttemptListener(nextAttempt), responder(nextAttempt));
    deployment = started;
    started
        .started()
        .whenComplete(
            (ok, error) ->
                main.execute(
                    () -> {
                      if (attempt != nextAttempt || status != JobStatus.RUNNING) {
                        return;
                      }
                      if (error != null) {
                        failover(
                            "attempt " + nextAttempt + " could not be deployed: " + error,
                            FailureKind.of(error),
                            error);
                      } else {
                        if (runningSinceNanos == 0) {
                          runningSinceNanos = System.nanoTime();
                        }
                        coordinator.start(started, started.sources(), started.allTasks());
                        deploymentStarted = true;
                      }
                    }));
  }

  private CheckpointResponder responder(int forAttempt) {
    return new CheckpointResponder() {
      @Override
      public void acknowledge(TaskSnapshot snapshot) {
        coordinator.acknowledge(snapshot);
      }

      @Override
      public void decline(TaskId task, long checkpointId, String cause) {
        coordinator.decline(task, checkpointId, cause);
      }
    };
  }

  /**
   * Task callbacks of one attempt while it runs; those of an attempt that failed are ignored, also
   * in the restart delay before the next attempt is deployed (its workers may run on for a while
   * and read their sources to the end: a final checkpoint asked for then would be taken by the next
   * attempt at its start, before its restored sources have replayed anything).
   */
  private final class AttemptListener implements TaskListener {
    private final int of;

    AttemptListener(int of) {
      this.of = of;
    }

    private void onMain(Runnable action) {
      main.execute(
          () -> {
            if (of == attempt && status == JobStatus.RUNNING) {
              action.run();
            }
          });
    }

    @Override
    public void sourceFinished(TaskId task) {
      onMain(
          () -> {
            if (++finishedSources == deployment.sources().size()) {
              LOG.info("all sources finished; taking the final checkpoint");
              coordinator.requestFinalCheckpoint();
            }
          });
    }

    @Override
    public void taskFinished(TaskId task) {
      onMain(
          () -> {
            if (++finishedTasks == deployment.allTasks().size()) {
              coordinator.stop();
              LOG.info("job {} finished", settings.jobName());
              terminate(JobStatus.FINISHED);
            }
          });
    }

    @Override
    public void taskFailed(TaskId task, FailureKind kind, Throwable cause) {
      onMain(() -> failover(task + " failed: " + cause, kind, cause));
    }
  }

  @Override
  public void checkpointCompleted(CompletedCheckpoint checkpoint) {}

  @Override
  public void tolerableFailuresExceeded(long checkpointId, CheckpointFailureReason reason) {
    failover(
        "checkpoint "
            + checkpointId
            + " failed ("
            + reason.message()
            + ") and no more checkpoint failures are tolerated",
        FailureKind.INFRASTRUCTURE,
        new IllegalStateException("checkpoint failures exceeded the tolerable number"));
  }

  private void failover(String why, FailureKind kind, Throwable cause) {
    if (status.isTerminal() || status == JobStatus.RESTARTING) {
      return;
    }
    status = JobStatus.RESTARTING;
    LOG.warn("attempt {} failed ({}): {}", attempt, kind, why);
    coordinator.stop();
    if (deployment != null) {
      deployment.cancel();
    }
    recover(kind, cause);
  }

  /** Carries out what the failover policy decides for a failed attempt. Main thread. */
  private void recover(FailureKind kind, Throwable cause) {
    List<Long> retained =
        coordinator.retainedCheckpoints().stream().map(CompletedCheckpoint::checkpointId).toList();
    FailoverDecision decision =
        failoverPolicy.decide(kind, restoredFrom, retained, main.currentTimeMillis());
    int next = attempt + 1;
    switch (decision.action()) {
      case FALL_BACK -> {
        LOG.error("{} ({})", decision.reason(), rootMessage(cause));
        coordinator.forget(decision.unreadableCheckpoint());
        main.execute(() -> deploy(next));
      }
      case RESTART -> {
        LOG.info("{} (attempt {})", decision.reason(), next);
        main.schedule(() -> deploy(next), decision.delay());
      }
      case FAIL -> {
        LOG.error("the job fails: {} ({})", decision.reason(), rootMessage(cause));
        fail(cause);
      }
    }
  }

  private static String rootMessage(Throwable cause) {
    Throwable t = cause;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private void fail(Throwable cause) {
    failureCause = cause;
    coordinator.stop();
    if (deployment != null) {
      deployment.cancel();
    }
    terminate(JobStatus.FAILED);
  }

  private void terminate(JobStatus terminal) {
    status = terminal;
    result.complete(terminal);
  }
}
