package dev.weir.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.SnapshotType;
import dev.weir.testing.InMemoryStorage;
import dev.weir.testing.ManualMainThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CheckpointCoordinatorTest {
  private static final TaskId SOURCE = new TaskId(0, 0);
  private static final TaskId COUNTER = new TaskId(1, 0);

  private final ManualMainThread main = new ManualMainThread();
  private final InMemoryStorage storage = new InMemoryStorage();
  private final CompletedCheckpointStore store = new CompletedCheckpointStore(storage, "job");
  private final RecordingGateway gateway = new RecordingGateway();
  private final List<Long> failovers = new ArrayList<>();
  private final RecordingObserver observer = new RecordingObserver();

  private CheckpointCoordinator coordinator(CheckpointConfig config) {
    CheckpointCoordinator coordinator =
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
                failovers.add(id);
              }
            },
            observer);
    coordinator.start(gateway, Set.of(SOURCE), Set.of(SOURCE, COUNTER));
    return coordinator;
  }

  private static CheckpointConfig config(
      Duration interval,
      Duration timeout,
      Duration minPause,
      int maxConcurrent,
      int tolerable,
      int retained) {
    return new CheckpointConfig(
        interval,
        CheckpointingMode.EXACTLY_ONCE,
        timeout,
        minPause,
        maxConcurrent,
        tolerable,
        retained);
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

  private void acknowledgeAll(CheckpointCoordinator coordinator, long id) {
    coordinator.acknowledge(ack(SOURCE, id));
    coordinator.acknowledge(ack(COUNTER, id));
    main.runPending();
  }

  @Test
  void measuresEndToEndToTheLastAcknowledgementAndCompletionToTheMetadataWritten() {
    List<Runnable> io = new ArrayList<>();
    List<CompletedCheckpoint> completed = new ArrayList<>();
    CheckpointCoordinator coordinator =
        new CheckpointCoordinator(
            config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 5),
            128,
            main,
            io::add,
            store,
            new CheckpointCoordinator.Listener() {
              @Override
              public void checkpointCompleted(CompletedCheckpoint checkpoint) {
                completed.add(checkpoint);
              }

              @Override
              public void tolerableFailuresExceeded(long id, CheckpointFailureReason reason) {}
            },
            CheckpointObserver.NONE);
    coordinator.start(gateway, Set.of(SOURCE), Set.of(SOURCE, COUNTER));
    main.advance(Duration.ofSeconds(1));
    assertThat(gateway.triggered).containsExactly(1L);

    main.advance(Duration.ofMillis(7));
    coordinator.acknowledge(ack(SOURCE, 1));
    main.runPending();
    main.advance(Duration.ofMillis(5));
    coordinator.acknowledge(ack(COUNTER, 1));
    main.runPending();
    main.advance(Duration.ofMillis(4)); // the metadata write
    io.forEach(Runnable::run);
    main.runPending();

    assertThat(completed).hasSize(1);
    assertThat(completed.get(0).endToEndMillis()).isEqualTo(12);
    assertThat(completed.get(0).durationMillis()).isEqualTo(16);
  }

  @Test
  void triggersEveryIntervalAndCompletesByWritingMetadataAfterTheLastAcknowledgement()
      throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 5));

    main.advance(Duration.ofMillis(999));
    assertThat(gateway.triggered).isEmpty();
    main.advance(Duration.ofMillis(1));
    assertThat(gateway.triggered).containsExactly(1L);

    coordinator.acknowledge(ack(SOURCE, 1));
    main.runPending();
    assertThat(store.completedIds()).isEmpty();
    assertThat(gateway.completed).isEmpty();

    coordinator.acknowledge(ack(COUNTER, 1));
    main.runPending();
    assertThat(store.completedIds()).containsExactly(1L);
    assertThat(gateway.completed).containsExactly(1L);
    assertThat(store.readMetadata(1).getOperatorsList())
        .extracting(o -> o.getUid())
        .containsExactly("op-0", "op-1");
    assertThat(observer.completed).containsExactly(1L);

    main.advance(Duration.ofSeconds(1));
    assertThat(gateway.triggered).containsExactly(1L, 2L);
  }

  @Test
  void abortsACheckpointThatTimesOutAndCountsItAsAFailure() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ZERO, 1, 5, 1));
    main.advance(Duration.ofSeconds(10));
    coordinator.acknowledge(ack(SOURCE, 1));

    main.advance(Duration.ofSeconds(3));

    assertThat(gateway.aborted).containsExactly(1L);
    assertThat(observer.countedFailures())
        .singleElement()
        .satisfies(
            failure -> {
              assertThat(failure.reason()).isEqualTo(CheckpointFailureReason.EXPIRED);
              assertThat(failure.message()).contains("expired");
            });
    acknowledgeAll(coordinator, 1); // too late
    assertThat(store.completedIds()).isEmpty();
    assertThat(failovers).isEmpty();
  }

  @Test
  void neverRunsMoreCheckpointsAtOnceThanMaxConcurrent() {
    coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 2, 0, 1));

    main.advance(Duration.ofSeconds(5));

    assertThat(gateway.triggered).containsExactly(1L, 2L);
  }

  @Test
  void waitsTheMinimumPauseAfterACompletedCheckpointBeforeTriggeringTheNext() {
    CheckpointCoordinator coordinator =
        coordinator(
            config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMillis(2500), 1, 0, 1));
    main.advance(Duration.ofSeconds(1));
    acknowledgeAll(coordinator, 1);

    main.advance(Duration.ofMillis(2400));
    assertThat(gateway.triggered).containsExactly(1L);
    main.advance(Duration.ofMillis(100));
    assertThat(gateway.triggered).containsExactly(1L, 2L);
  }

  @Test
  void failsOverOnlyWhenMoreConsecutiveCheckpointsFailThanTolerated() {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ZERO, 1, 1, 1));

    main.advance(Duration.ofMillis(1500)); // 1 triggered at 1.0 s, expires at 1.5 s
    assertThat(failovers).isEmpty();
    main.advance(Duration.ofMillis(600)); // 2 triggered at 2.0 s...
    acknowledgeAll(coordinator, 2); // ...and completes: the count starts again
    main.advance(Duration.ofMillis(1400)); // 3 triggered at 3.0 s, expires at 3.5 s (1st in a row)
    assertThat(failovers).isEmpty();
    main.advance(Duration.ofMillis(1000)); // 4 triggered at 4.0 s, expires at 4.5 s (2nd in a row)
    assertThat(failovers).containsExactly(4L);
  }

  @Test
  void abortsAtOnceWhenATaskDeclines() {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 3, 1));
    main.advance(Duration.ofSeconds(1));

    coordinator.decline(COUNTER, 1, "upload failed");
    main.runPending();

    assertThat(gateway.aborted).containsExactly(1L);
    assertThat(observer.failures)
        .singleElement()
        .satisfies(
            failure -> {
              assertThat(failure.reason()).isEqualTo(CheckpointFailureReason.DECLINED);
              assertThat(failure.message()).contains("declined").contains("upload failed");
            });
  }

  @Test
  void keepsOnlyTheRetainedNumberOfCompletedCheckpointsInStorage() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 2));
    for (long id = 1; id <= 4; id++) {
      main.advance(Duration.ofSeconds(1));
      storage.write(store.checkpointDirectory(id) + "/op-1/0/state", new byte[] {1});
      acknowledgeAll(coordinator, id);
    }

    assertThat(store.completedIds()).containsExactly(3L, 4L);
    assertThat(storage.list("job/chk-1/")).isEmpty();
    assertThat(coordinator.retainedCheckpoints())
        .extracting(CompletedCheckpoint::checkpointId)
        .containsExactly(3L, 4L);
  }

  @Test
  void takesTheFinalCheckpointAtOnceWhenRequested() {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));

    coordinator.requestFinalCheckpoint();

    assertThat(gateway.triggered).containsExactly(1L);
    assertThat(gateway.finalFlags).containsExactly(true);
    main.advance(Duration.ofMinutes(20));
    assertThat(gateway.triggered).containsExactly(1L); // nothing after the final one
  }

  @Test
  void takesTheFinalCheckpointWhenTheSourcesEndedBeforeTheDeploymentWasReportedStarted() {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    coordinator.stop(); // a restarted deployment: its sources restored at their end ...
    coordinator.requestFinalCheckpoint(); // ... and finished before it was reported started

    coordinator.start(gateway, Set.of(SOURCE), Set.of(SOURCE, COUNTER));

    assertThat(gateway.triggered).containsExactly(1L);
    assertThat(gateway.finalFlags).containsExactly(true);
    main.advance(Duration.ofMinutes(1));
    assertThat(gateway.triggered).as("no periodic checkpoint after the final one").hasSize(1);
  }

  @Test
  void aFinalCheckpointRequestedByAStoppedDeploymentIsNotTakenForTheNext() {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    coordinator.stop();
    coordinator.requestFinalCheckpoint();
    coordinator.stop(); // that deployment failed over before it started

    coordinator.start(gateway, Set.of(SOURCE), Set.of(SOURCE, COUNTER));
    main.advance(Duration.ofSeconds(1));

    assertThat(gateway.finalFlags).containsExactly(false);
  }

  @Test
  void aFailedFinalCheckpointFailsTheJobOverEvenWhenFailuresAreTolerated() {
    coordinator(config(Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ZERO, 1, 10, 1))
        .requestFinalCheckpoint();

    main.advance(Duration.ofSeconds(1));

    assertThat(failovers).containsExactly(1L);
  }

  @Test
  void continuesCheckpointIdsAfterTheRecoveredOnes() {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    coordinator.advanceCheckpointIdPast(41);

    main.advance(Duration.ofSeconds(1));

    assertThat(gateway.triggered).containsExactly(42L);
  }

  private static TaskSnapshot ackWithFile(TaskId task, long id, String path) {
    return new TaskSnapshot(
        task,
        id,
        Map.of(
            "op-" + task.stage(),
            SubtaskSnapshot.newBuilder()
                .setSubtaskIndex(task.subtask())
                .addKeyedState(
                    KeyedStateHandle.newBuilder()
                        .setKeyGroupStart(0)
                        .setKeyGroupEnd(127)
                        .setBackend("canonical")
                        .addFiles(StateFile.newBuilder().setPath(path).setSize(3)))
                .build()),
        10,
        0,
        0,
        0);
  }

  @Test
  void aSavepointIgnoresMaxConcurrentAndRetentionNeverDeletesIt() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    main.advance(Duration.ofSeconds(1));
    assertThat(gateway.triggered).containsExactly(1L);

    CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint(false);
    assertThat(gateway.triggered).containsExactly(1L, 2L);
    assertThat(gateway.types).containsExactly(SnapshotType.CHECKPOINT, SnapshotType.SAVEPOINT);
    acknowledgeAll(coordinator, 1);
    acknowledgeAll(coordinator, 2);

    assertThat(savepoint).isCompleted();
    assertThat(savepoint.get().isSavepoint()).isTrue();
    assertThat(savepoint.get().path()).endsWith("job/savepoints/sp-2");
    assertThat(gateway.completed).containsExactly(1L, 2L);
    for (long id = 3; id <= 5; id++) {
      main.advance(Duration.ofSeconds(1));
      acknowledgeAll(coordinator, id);
    }
    assertThat(store.completedIds()).as("retained checkpoints").containsExactly(5L);
    assertThat(store.savepointIds()).containsExactly(2L);
    assertThat(observer.completed(SnapshotType.SAVEPOINT)).containsExactly(2L);
    assertThat(observer.completed(SnapshotType.CHECKPOINT)).containsExactly(1L, 3L, 4L, 5L);
  }

  @Test
  void aCheckpointCompletingFirstDoesNotSubsumeAPendingSavepoint() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 2, 0, 3));
    CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint(false);
    main.advance(Duration.ofSeconds(1));
    assertThat(gateway.triggered).containsExactly(1L, 2L);

    acknowledgeAll(coordinator, 2);
    acknowledgeAll(coordinator, 1);

    assertThat(savepoint).isCompleted();
    assertThat(gateway.aborted).isEmpty();
    assertThat(coordinator.retainedCheckpoints())
        .extracting(CompletedCheckpoint::checkpointId)
        .containsExactly(1L, 2L);
  }

  @Test
  void aStopWithSavepointGivesUpThePendingCheckpointWithoutCountingAFailure() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    main.advance(Duration.ofSeconds(1));
    assertThat(gateway.triggered).containsExactly(1L);
    coordinator.acknowledge(ack(SOURCE, 1)); // the counter is still uploading

    CompletableFuture<CompletedCheckpoint> stop = coordinator.triggerSavepoint(true);
    main.runPending();

    assertThat(gateway.aborted).as("the tasks cancel its uploads").containsExactly(1L);
    assertThat(observer.failures)
        .extracting(RecordingObserver.Failure::reason)
        .containsExactly(CheckpointFailureReason.STOPPING_WITH_SAVEPOINT);
    assertThat(observer.countedFailures()).isEmpty();
    coordinator.acknowledge(ack(COUNTER, 1)); // late: ignored
    acknowledgeAll(coordinator, 2);
    assertThat(stop).isCompleted();
    assertThat(store.completedIds()).isEmpty();
    assertThat(store.savepointIds()).containsExactly(2L);
    assertThat(failovers).isEmpty();
  }

  @Test
  void aStopWithSavepointIsTheOnlyFinalSnapshotWhenAFinalCheckpointWaitsForASlot()
      throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    main.advance(Duration.ofSeconds(1));
    coordinator.requestFinalCheckpoint(); // sources done; checkpoint 1 holds the only slot

    CompletableFuture<CompletedCheckpoint> stop = coordinator.triggerSavepoint(true);
    main.runPending();

    assertThat(gateway.aborted).containsExactly(1L);
    assertThat(gateway.triggered)
        .as("no final checkpoint besides the savepoint")
        .containsExactly(1L, 2L);
    assertThat(gateway.finalFlags).containsExactly(false, true);
    acknowledgeAll(coordinator, 2);
    assertThat(stop).isCompleted();
  }

  @Test
  void aSavepointThatDoesNotStopLeavesThePendingCheckpointAlone() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    main.advance(Duration.ofSeconds(1));

    CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint(false);
    main.runPending();

    assertThat(gateway.aborted).isEmpty();
    acknowledgeAll(coordinator, 1);
    acknowledgeAll(coordinator, 2);
    assertThat(savepoint).isCompleted();
    assertThat(store.completedIds()).containsExactly(1L);
  }

  @Test
  void aFailedStopWithSavepointLetsTheJobGoOnWithoutFailover() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    CompletableFuture<CompletedCheckpoint> stop = coordinator.triggerSavepoint(true);
    assertThat(gateway.finalFlags).containsExactly(true);
    assertThat(coordinator.triggerSavepoint(false))
        .as("a second savepoint while stopping")
        .isCompletedExceptionally();
    main.advance(Duration.ofSeconds(5));
    assertThat(gateway.triggered).as("no checkpoint while stopping").containsExactly(1L);

    coordinator.decline(SOURCE, 1, "disk full");
    main.runPending();

    assertThat(stop).isCompletedExceptionally();
    assertThat(failovers).as("savepoint failures are not checkpoint failures").isEmpty();
    assertThat(gateway.aborted).containsExactly(1L);
    main.advance(Duration.ofSeconds(1));
    assertThat(gateway.triggered).as("periodic checkpoints resume").containsExactly(1L, 2L);
    assertThat(gateway.types).last().isEqualTo(SnapshotType.CHECKPOINT);
  }

  @Test
  void aSavepointStoresItsFilePathsRelativeToItsDirectory() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint(false);
    coordinator.acknowledge(ackWithFile(SOURCE, 1, "job/savepoints/sp-1/op-0/0/state"));
    coordinator.acknowledge(ack(COUNTER, 1));
    main.runPending();

    assertThat(savepoint).isCompleted();
    CheckpointMetadata stored =
        CheckpointMetadataFormat.decode(storage.read("job/savepoints/sp-1/_metadata"), "test");
    assertThat(stored.getSavepoint()).isTrue();
    assertThat(stored.getOperators(0).getSubtasks(0).getKeyedState(0).getFiles(0).getPath())
        .isEqualTo("op-0/0/state");
    assertThat(
            Savepoints.load(storage, "job/savepoints/sp-1/_metadata")
                .metadata()
                .getOperators(0)
                .getSubtasks(0)
                .getKeyedState(0)
                .getFiles(0)
                .getPath())
        .isEqualTo("job/savepoints/sp-1/op-0/0/state");
  }

  @Test
  void aSavepointReferencingFilesOutsideItsDirectoryFails() throws Exception {
    CheckpointCoordinator coordinator =
        coordinator(config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 1, 0, 1));
    CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint(false);
    coordinator.acknowledge(ackWithFile(SOURCE, 1, "job/shared/0001.sst"));
    coordinator.acknowledge(ack(COUNTER, 1));
    main.runPending();

    assertThat(savepoint)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("job/shared/0001.sst")
        .withMessageContaining("outside the savepoint directory");
    assertThat(storage.exists("job/savepoints/sp-1/_metadata")).isFalse();
  }

  private static final class RecordingGateway implements TaskGateway {
    final List<Long> triggered = new ArrayList<>();
    final List<Boolean> finalFlags = new ArrayList<>();
    final List<SnapshotType> types = new ArrayList<>();
    final List<Long> completed = new ArrayList<>();
    final List<Long> aborted = new ArrayList<>();

    @Override
    public void triggerCheckpoint(
        TaskId source,
        long checkpointId,
        long timestampMillis,
        boolean isFinal,
        SnapshotType type) {
      triggered.add(checkpointId);
      finalFlags.add(isFinal);
      types.add(type);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      completed.add(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
      aborted.add(checkpointId);
    }
  }
}
