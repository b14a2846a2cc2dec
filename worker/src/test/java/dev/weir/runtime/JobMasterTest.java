package dev.weir.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.checkpoint.CheckpointCoordinator;
import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.checkpoint.CheckpointObserver;
import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CheckpointingMode;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.failure.FailureKind;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.runtime.task.TaskListener;
import dev.weir.state.SnapshotType;
import dev.weir.state.StateBackendKind;
import dev.weir.state.StateRestoreException;
import dev.weir.testing.InMemoryStorage;
import dev.weir.testing.ManualMainThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The job master's life of a job against fake deployments, on a manual main thread. */
class JobMasterTest {
  private static final TaskId SOURCE = new TaskId(0, 0);
  private static final TaskId COUNTER = new TaskId(1, 0);

  private final ManualMainThread main = new ManualMainThread();
  private final CompletedCheckpointStore store =
      new CompletedCheckpointStore(new InMemoryStorage(), "job");
  private final List<FakeDeployment> deployments = new ArrayList<>();
  private final Set<Long> unreadable = new HashSet<>();
  private final List<Long> verified = new ArrayList<>();
  private CheckpointCoordinator coordinator;

  private JobMaster jobMaster(
      int retained, RestartStrategy restartStrategy, boolean startedAtOnce) {
    CheckpointConfig config =
        new CheckpointConfig(
            Duration.ofSeconds(1),
            CheckpointingMode.EXACTLY_ONCE,
            Duration.ofMinutes(1),
            Duration.ZERO,
            1,
            0,
            retained);
    JobMaster[] master = new JobMaster[1];
    coordinator =
        new CheckpointCoordinator(
            config,
            128,
            main,
            Runnable::run,
            store,
            new CheckpointCoordinator.Listener() {
              @Override
              public void checkpointCompleted(CompletedCheckpoint checkpoint) {}

              @Override
              public void tolerableFailuresExceeded(long id, CheckpointFailureReason reason) {
                master[0].tolerableFailuresExceeded(id, reason);
              }
            },
            CheckpointObserver.NONE);
    JobSettings settings =
        new JobSettings(
            "test",
            "job",
            1,
            128,
            config,
            StateBackendKind.HEAP,
            false,
            JobSettings.DEFAULT_BUFFER_TIMEOUT,
            JobSettings.DEFAULT_BUFFER_SIZE,
            JobSettings.DEFAULT_REMOTE_BUFFER_SIZE,
            JobSettings.DEFAULT_CREDITS);
    master[0] =
        new JobMaster(
            settings,
            Set.of("op-0", "op-1"),
            main,
            coordinator,
            (attempt, restore, listener, responder) -> {
              FakeDeployment deployment =
                  new FakeDeployment(attempt, restore, listener, responder, startedAtOnce);
              deployments.add(deployment);
              return deployment;
            },
            restartStrategy,
            snapshot -> {
              verified.add(snapshot.checkpointId());
              if (unreadable.contains(snapshot.checkpointId())) {
                throw new StateRestoreException(
                    "keyed state file chk-" + snapshot.checkpointId() + "/op-1/0/state is corrupt");
              }
            });
    return master[0];
  }

  private FakeDeployment current() {
    return deployments.get(deployments.size() - 1);
  }

  /** Lets the current deployment acknowledge the checkpoint it was last asked for. */
  private long completeCheckpoint() {
    long id = current().triggered.get(current().triggered.size() - 1);
    current().responder.acknowledge(ack(SOURCE, id));
    current().responder.acknowledge(ack(COUNTER, id));
    main.runPending();
    return id;
  }

  private static TaskSnapshot ack(TaskId task, long id) {
    return new TaskSnapshot(
        task,
        id,
        Map.of(
            "op-" + task.stage(),
            SubtaskSnapshot.newBuilder().setSubtaskIndex(task.subtask()).build()),
        10,
        0,
        0,
        0);
  }

  @Test
  void aDeploymentWhoseSourcesEndBeforeItIsReportedStartedTakesItsFinalCheckpointAndFinishes() {
    JobMaster master = jobMaster(1, RestartStrategy.none(), false);
    CompletableFuture<JobStatus> result = master.start();
    main.runPending();

    // a restored source with nothing left: it ends before the last worker reported deployed
    current().listener.sourceFinished(SOURCE);
    main.runPending();
    current().started.complete(null);
    main.runPending();

    assertThat(current().finalFlags).containsExactly(true);
    long finalCheckpoint = completeCheckpoint();
    assertThat(current().completed).containsExactly(finalCheckpoint);
    current().listener.taskFinished(SOURCE);
    current().listener.taskFinished(COUNTER);
    main.runPending();
    assertThat(result).isCompletedWithValue(JobStatus.FINISHED);
  }

  @Test
  void theJobIsReportedRunningOnlyOnceItsDeploymentHasStarted() {
    JobMaster master = jobMaster(1, RestartStrategy.fixedDelay(3, Duration.ofMillis(10)), false);
    master.start();
    main.runPending();
    assertThat(master.reportedStatus()).isEqualTo(JobStatus.CREATED);
    current().started.complete(null);
    main.runPending();
    assertThat(master.reportedStatus()).isEqualTo(JobStatus.RUNNING);

    // a restart: the next attempt is still restarting until it has started too
    current().listener.taskFailed(COUNTER, FailureKind.INFRASTRUCTURE, new IllegalStateException());
    main.advance(Duration.ofMillis(10));
    assertThat(deployments).hasSize(2);
    assertThat(master.reportedStatus()).isEqualTo(JobStatus.RESTARTING);
    current().started.complete(null);
    main.runPending();
    assertThat(master.reportedStatus()).isEqualTo(JobStatus.RUNNING);
  }

  @Test
  void sourcesOfAFailedAttemptThatEndDuringTheRestartDelayDoNotEndTheNextAttempt() {
    // found by the chaos soak: a coordinator paused beyond the heartbeat timeout failed the attempt
    // while its workers ran on and read their sources to the end; their SOURCE_FINISHED events
    // reached the job master in the restart delay and asked for a final checkpoint that the next
    // attempt took at once, so its restored sources stopped at that barrier and the job finished
    // without the records after the restored checkpoint
    JobMaster master = jobMaster(1, RestartStrategy.fixedDelay(3, Duration.ofMillis(100)), true);
    CompletableFuture<JobStatus> result = master.start();
    main.advance(Duration.ofSeconds(1));
    completeCheckpoint();
    FakeDeployment failed = current();
    failed.listener.taskFailed(SOURCE, FailureKind.INFRASTRUCTURE, new IllegalStateException());
    main.runPending();
    assertThat(master.status()).isEqualTo(JobStatus.RESTARTING);

    failed.listener.sourceFinished(SOURCE); // late news of the failed attempt
    main.runPending();
    main.advance(Duration.ofMillis(100));

    assertThat(deployments).hasSize(2);
    assertThat(master.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(result).isNotDone();
    assertThat(current().finalFlags)
        .as("the restored attempt is not asked for a final checkpoint at its start")
        .doesNotContain(true);
    main.advance(Duration.ofSeconds(1));
    assertThat(current().finalFlags).containsExactly(false);
  }

  @Test
  void tasksOfAFailedAttemptThatReportFinishedDuringTheRestartDelayDoNotFinishTheJob() {
    JobMaster master = jobMaster(1, RestartStrategy.fixedDelay(3, Duration.ofMillis(100)), true);
    CompletableFuture<JobStatus> result = master.start();
    main.advance(Duration.ofSeconds(1));
    completeCheckpoint();
    FakeDeployment failed = current();
    failed.listener.taskFailed(COUNTER, FailureKind.INFRASTRUCTURE, new IllegalStateException());
    main.runPending();

    failed.listener.taskFinished(SOURCE);
    failed.listener.taskFinished(COUNTER);
    main.runPending();
    main.advance(Duration.ofMillis(100));

    assertThat(result).isNotDone();
    assertThat(deployments).hasSize(2);
    assertThat(master.status()).isEqualTo(JobStatus.RUNNING);
  }

  @Test
  void userCodeFailingInARestoredAttemptRestartsPerTheStrategyEvenWithOneRetainedCheckpoint() {
    JobMaster master = jobMaster(1, RestartStrategy.fixedDelay(3, Duration.ofMillis(10)), true);
    master.start();
    main.advance(Duration.ofSeconds(1));
    long checkpoint = completeCheckpoint();
    current().listener.taskFailed(COUNTER, FailureKind.USER_CODE, new IllegalStateException("x"));
    main.advance(Duration.ofMillis(10));
    assertThat(master.restoredCheckpointId()).isEqualTo(checkpoint);

    // the restored attempt's function fails in open(): its own code, not an unreadable checkpoint
    current()
        .listener
        .taskFailed(COUNTER, FailureKind.USER_CODE, new IllegalStateException("open failed"));
    main.advance(Duration.ofMillis(10));

    assertThat(master.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(deployments).hasSize(3);
    assertThat(master.restoredCheckpointId()).as("the same checkpoint again").isEqualTo(checkpoint);
  }

  @Test
  void aCheckpointThatFailsVerificationIsDroppedBeforeAnyOfItsTasksIsDeployed() {
    JobMaster master = jobMaster(2, RestartStrategy.fixedDelay(1, Duration.ofMillis(10)), true);
    master.start();
    main.advance(Duration.ofSeconds(1));
    long older = completeCheckpoint();
    main.advance(Duration.ofSeconds(1));
    long newest = completeCheckpoint();
    unreadable.add(newest);

    current().listener.taskFailed(COUNTER, FailureKind.INFRASTRUCTURE, new IllegalStateException());
    main.advance(Duration.ofMillis(10));

    assertThat(verified).containsExactly(newest, older);
    assertThat(deployments).as("no deployment restored the unreadable checkpoint").hasSize(2);
    assertThat(master.restoredCheckpointId()).isEqualTo(older);
    assertThat(master.status()).isEqualTo(JobStatus.RUNNING);
  }

  @Test
  void aCheckpointThatFailsVerificationWithNothingOlderFailsTheJobWithoutDeployingIt() {
    JobMaster master = jobMaster(1, RestartStrategy.fixedDelay(3, Duration.ofMillis(10)), true);
    CompletableFuture<JobStatus> result = master.start();
    main.advance(Duration.ofSeconds(1));
    long checkpoint = completeCheckpoint();
    unreadable.add(checkpoint);

    current().listener.taskFailed(COUNTER, FailureKind.INFRASTRUCTURE, new IllegalStateException());
    main.advance(Duration.ofMillis(10));

    assertThat(result).isCompletedWithValue(JobStatus.FAILED);
    assertThat(deployments).hasSize(1);
    assertThat(master.failureCause()).hasMessageContaining("chk-" + checkpoint);
  }

  /** An attempt's tasks as the job master sees them: what it asked for, and its listener. */
  private static final class FakeDeployment implements Deployment {
    final int attempt;
    final Map<String, List<OperatorRestore>> restore;
    final TaskListener listener;
    final CheckpointResponder responder;
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final List<Long> triggered = new ArrayList<>();
    final List<Boolean> finalFlags = new ArrayList<>();
    final List<Long> completed = new ArrayList<>();
    boolean cancelled;

    FakeDeployment(
        int attempt,
        Map<String, List<OperatorRestore>> restore,
        TaskListener listener,
        CheckpointResponder responder,
        boolean startedAtOnce) {
      this.attempt = attempt;
      this.restore = restore;
      this.listener = listener;
      this.responder = responder;
      if (startedAtOnce) {
        started.complete(null);
      }
    }

    @Override
    public CompletableFuture<Void> started() {
      return started;
    }

    @Override
    public Set<TaskId> sources() {
      return Set.of(SOURCE);
    }

    @Override
    public Set<TaskId> allTasks() {
      return Set.of(SOURCE, COUNTER);
    }

    @Override
    public long sourceRecords() {
      return 0;
    }

    @Override
    public CompletableFuture<StateQueryResult> queryState(TaskId task, StateQuery query) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public void triggerCheckpoint(
        TaskId source,
        long checkpointId,
        long timestampMillis,
        boolean isFinal,
        SnapshotType type) {
      triggered.add(checkpointId);
      finalFlags.add(isFinal);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      completed.add(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {}
  }
}
