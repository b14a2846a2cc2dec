package dev.weir.stats;

import static dev.weir.stats.StatsFixtures.ALL_TASKS;
import static dev.weir.stats.StatsFixtures.COUNTER_0;
import static dev.weir.stats.StatsFixtures.COUNTER_1;
import static dev.weir.stats.StatsFixtures.SOURCE_0;
import static dev.weir.stats.StatsFixtures.SOURCE_1;
import static dev.weir.stats.StatsFixtures.T0;
import static dev.weir.stats.StatsFixtures.counterAck;
import static dev.weir.stats.StatsFixtures.ids;
import static dev.weir.stats.StatsFixtures.sourceAck;
import static dev.weir.stats.StatsFixtures.triggerAndAcknowledgeAll;
import static dev.weir.stats.StatsFixtures.triggerTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.checkpoint.TaskId;
import dev.weir.state.SnapshotType;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CheckpointStatsTrackerTest {
  private static final CredentialRedaction NO_SECRETS = CredentialRedaction.of(List.of());

  private final CheckpointStatsTracker tracker =
      new CheckpointStatsTracker(100, NO_SECRETS, StatsFixtures::stageName);

  @Test
  void startsWithNothing() {
    CheckpointStatsSnapshot snapshot = tracker.snapshot();

    assertThat(snapshot.counts()).isEqualTo(CheckpointCounts.ZERO);
    assertThat(snapshot.history()).isEmpty();
    assertThat(snapshot.latestCompleted()).isNull();
    assertThat(snapshot.latestFailed()).isNull();
    assertThat(snapshot.latestSavepoint()).isNull();
    assertThat(snapshot.latestRestore()).isNull();
    assertThat(snapshot.completedDurations()).isEqualTo(DurationPercentiles.NONE);
    assertThat(snapshot.historyLimit()).isEqualTo(100);
  }

  @Test
  void countsEveryOutcomeOnceSoThatTriggeredIsTheirSum() {
    for (long id = 1; id <= 5; id++) {
      tracker.triggered(id, triggerTime(id), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    }
    tracker.completed(1, triggerTime(1) + 50, 50, 50 + 2, 10, "chk-1");
    tracker.completed(2, triggerTime(2) + 50, 50, 50 + 2, 10, "chk-2");
    tracker.failed(3, triggerTime(3) + 9, CheckpointFailureReason.DECLINED, "no space");
    tracker.failed(4, triggerTime(4) + 9, CheckpointFailureReason.SUBSUMED, null);
    tracker.restored(2, triggerTime(5) + 1, "chk-2");

    CheckpointCounts counts = tracker.snapshot().counts();

    assertThat(counts).isEqualTo(new CheckpointCounts(5, 1, 2, 1, 1, 1));
    assertThat(counts.inProgress() + counts.completed() + counts.failed() + counts.aborted())
        .isEqualTo(counts.triggered());
  }

  @Test
  void ignoresReportsAboutCheckpointsThatAreUnknownOrNoLongerInProgress() {
    tracker.completed(7, T0, 5, 5 + 2, 10, "chk-7"); // never triggered
    tracker.failed(8, T0, CheckpointFailureReason.EXPIRED, "never triggered");
    tracker.triggered(1, triggerTime(1), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.triggered(
        1, triggerTime(1) + 5, true, SnapshotType.CHECKPOINT, ALL_TASKS); // duplicate trigger
    tracker.failed(1, triggerTime(1) + 9, CheckpointFailureReason.EXPIRED, "expired");
    tracker.completed(1, triggerTime(1) + 10, 10, 10 + 2, 10, "chk-1"); // after it failed
    tracker.acknowledged(sourceAck(SOURCE_0, 1, 8), triggerTime(1) + 11);

    CheckpointStatsSnapshot snapshot = tracker.snapshot();

    assertThat(snapshot.counts()).isEqualTo(new CheckpointCounts(1, 0, 0, 1, 0, 0));
    CheckpointDetails only = snapshot.history().get(0);
    assertThat(only.status()).isEqualTo(CheckpointStatus.FAILED);
    assertThat(only.finalCheckpoint()).isFalse();
    assertThat(only.acknowledgedSubtasks()).isZero();
  }

  @Test
  void historyKeepsTheNewestCheckpointsNewestFirstUpToItsLimit() {
    CheckpointStatsTracker bounded =
        new CheckpointStatsTracker(3, NO_SECRETS, StatsFixtures::stageName);
    for (long id = 1; id <= 5; id++) {
      triggerAndAcknowledgeAll(bounded, id);
      bounded.completed(id, triggerTime(id) + 30, 30, 30 + 2, 100, "chk-" + id);
    }

    CheckpointStatsSnapshot snapshot = bounded.snapshot();

    assertThat(ids(snapshot)).containsExactly(5L, 4L, 3L);
    assertThat(snapshot.counts().completed()).isEqualTo(5);
    assertThat(snapshot.historyLimit()).isEqualTo(3);
  }

  @Test
  void historyNeverDropsACheckpointThatIsStillInProgress() {
    CheckpointStatsTracker bounded =
        new CheckpointStatsTracker(2, NO_SECRETS, StatsFixtures::stageName);
    bounded.triggered(1, triggerTime(1), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    for (long id = 2; id <= 4; id++) {
      bounded.triggered(id, triggerTime(id), false, SnapshotType.CHECKPOINT, ALL_TASKS);
      bounded.completed(id, triggerTime(id) + 30, 30, 30 + 2, 100, "chk-" + id);
    }
    assertThat(ids(bounded.snapshot())).containsExactly(4L, 1L);

    bounded.completed(1, triggerTime(5), 40_000, 40_000 + 2, 100, "chk-1");

    assertThat(ids(bounded.snapshot())).containsExactly(4L, 1L);
    assertThat(bounded.snapshot().history().get(1).status()).isEqualTo(CheckpointStatus.COMPLETED);
  }

  @Test
  void breaksACheckpointDownByStageSubtaskAndOperator() {
    long trigger = triggerTime(1);
    tracker.triggered(1, trigger, false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.acknowledged(sourceAck(SOURCE_0, 1, 8), trigger + 3);
    tracker.acknowledged(sourceAck(SOURCE_1, 1, 12), trigger + 4);
    tracker.acknowledged(counterAck(COUNTER_1, 1, 5_000, 250_000), trigger + 20, 4_096);

    CheckpointDetails checkpoint = tracker.snapshot().history().get(0);

    assertThat(checkpoint.status()).isEqualTo(CheckpointStatus.IN_PROGRESS);
    assertThat(checkpoint.acknowledgedSubtasks()).isEqualTo(3);
    assertThat(checkpoint.totalSubtasks()).isEqualTo(4);
    assertThat(checkpoint.latestAckTimestampMillis()).isEqualTo(trigger + 20);
    assertThat(checkpoint.endToEndDurationMillis()).isEqualTo(20);
    assertThat(checkpoint.stateSizeBytes()).isEqualTo(8 + 12 + 5_000);
    assertThat(checkpoint.alignmentBufferedBytes()).isEqualTo(4_096);

    StageCheckpointStats sources = checkpoint.stages().get(0);
    assertThat(sources.stage()).isZero();
    assertThat(sources.name()).isEqualTo("Source: generator");
    assertThat(sources.acknowledgedSubtasks()).isEqualTo(2);
    assertThat(sources.totalSubtasks()).isEqualTo(2);
    assertThat(sources.latestAckTimestampMillis()).isEqualTo(trigger + 4);
    assertThat(sources.endToEndDurationMillis()).isEqualTo(4);
    assertThat(sources.stateSizeBytes()).isEqualTo(20);
    assertThat(sources.pendingSubtasks()).isEmpty();
    assertThat(sources.subtasks())
        .containsExactly(
            new SubtaskCheckpointStats(0, trigger + 3, 3, 8, 0, 0, 1_500_000, 0),
            new SubtaskCheckpointStats(1, trigger + 4, 4, 12, 0, 0, 1_500_000, 0));

    StageCheckpointStats counters = checkpoint.stages().get(1);
    assertThat(counters.name()).isEqualTo("count -> sink");
    assertThat(counters.acknowledgedSubtasks()).isEqualTo(1);
    assertThat(counters.totalSubtasks()).isEqualTo(2);
    assertThat(counters.pendingSubtasks()).containsExactly(0);
    assertThat(counters.alignmentBufferedBytes()).isEqualTo(4_096);
    assertThat(counters.subtasks())
        .containsExactly(
            new SubtaskCheckpointStats(
                1, trigger + 20, 20, 5_000, 4_096, 250_000, 2_000_000, 7_000_000));

    assertThat(checkpoint.operators())
        .containsExactly(
            new OperatorCheckpointStats("count", 1, 1, 5_000),
            new OperatorCheckpointStats("source", 0, 2, 20));
  }

  @Test
  void ignoresAcknowledgementsFromUnexpectedTasksAndRepeatedOnes() {
    tracker.triggered(
        1, triggerTime(1), false, SnapshotType.CHECKPOINT, Set.of(SOURCE_0, COUNTER_0));
    tracker.acknowledged(sourceAck(SOURCE_0, 1, 8), triggerTime(1) + 1);
    tracker.acknowledged(sourceAck(SOURCE_0, 1, 99), triggerTime(1) + 2);
    tracker.acknowledged(sourceAck(SOURCE_1, 1, 8), triggerTime(1) + 3);
    tracker.acknowledged(counterAck(new TaskId(7, 0), 1, 10, 0), triggerTime(1) + 4);

    CheckpointDetails checkpoint = tracker.snapshot().history().get(0);

    assertThat(checkpoint.acknowledgedSubtasks()).isEqualTo(1);
    assertThat(checkpoint.stateSizeBytes()).isEqualTo(8);
    assertThat(checkpoint.stages()).extracting(StageCheckpointStats::stage).containsExactly(0, 1);
    assertThat(checkpoint.stages().get(1).name()).isNull();
    assertThat(checkpoint.stages().get(1).pendingSubtasks()).containsExactly(0);
  }

  @Test
  void aCompletedCheckpointShowsTheCoordinatorsDurationsSizeAndPath() {
    triggerAndAcknowledgeAll(tracker, 1);
    tracker.completed(1, triggerTime(1) + 31, 25, 31, 3_333, "s3://bucket/job/chk-1/_metadata");

    CheckpointStatsSnapshot snapshot = tracker.snapshot();

    CheckpointDetails completed = snapshot.latestCompleted();
    assertThat(completed).isEqualTo(snapshot.history().get(0));
    assertThat(completed.status()).isEqualTo(CheckpointStatus.COMPLETED);
    assertThat(completed.completionTimestampMillis()).isEqualTo(triggerTime(1) + 31);
    // end to end as Flink defines it: to the last acknowledgement; then the metadata write
    assertThat(completed.endToEndDurationMillis()).isEqualTo(25);
    assertThat(completed.completionDurationMillis()).isEqualTo(31);
    assertThat(completed.stateSizeBytes()).isEqualTo(3_333);
    assertThat(completed.path()).isEqualTo("s3://bucket/job/chk-1/_metadata");
    assertThat(completed.failureReason()).isNull();
    assertThat(completed.acknowledgedSubtasks()).isEqualTo(4);
  }

  @Test
  void latestFailedIsTheNewestFailureAndAbortsDoNotReplaceIt() {
    tracker.triggered(1, triggerTime(1), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.failed(1, triggerTime(1) + 600_000, CheckpointFailureReason.EXPIRED, null);
    tracker.triggered(2, triggerTime(2), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.failed(
        2, triggerTime(2) + 70, CheckpointFailureReason.DECLINED, "stage-1/0: disk full");
    tracker.triggered(3, triggerTime(3), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.failed(3, triggerTime(3) + 5, CheckpointFailureReason.JOB_FAILOVER, null);

    CheckpointStatsSnapshot snapshot = tracker.snapshot();

    CheckpointDetails failed = snapshot.latestFailed();
    assertThat(failed.id()).isEqualTo(2);
    assertThat(failed.status()).isEqualTo(CheckpointStatus.FAILED);
    assertThat(failed.failureReason()).isEqualTo("DECLINED");
    assertThat(failed.failureMessage()).isEqualTo("stage-1/0: disk full");
    assertThat(failed.failureTimestampMillis()).isEqualTo(triggerTime(2) + 70);
    assertThat(failed.endToEndDurationMillis()).isEqualTo(70);
    CheckpointDetails aborted = snapshot.history().get(0);
    assertThat(aborted.status()).isEqualTo(CheckpointStatus.ABORTED);
    assertThat(aborted.failureMessage()).isEqualTo(CheckpointFailureReason.JOB_FAILOVER.message());
    assertThat(snapshot.history().get(2).failureMessage())
        .isEqualTo(CheckpointFailureReason.EXPIRED.message());
  }

  @Test
  void latestRestoreIsTheNewestRestoreAndEveryRestoreCounts() {
    tracker.restored(3, T0 + 1, "chk-3");
    tracker.restored(2, T0 + 2, "chk-2");

    CheckpointStatsSnapshot snapshot = tracker.snapshot();

    assertThat(snapshot.latestRestore()).isEqualTo(new RestoreDetails(2, T0 + 2, "chk-2"));
    assertThat(snapshot.counts().restored()).isEqualTo(2);
  }

  @Test
  void durationPercentilesCoverTheCompletedCheckpointsInTheHistory() {
    CheckpointStatsTracker bounded =
        new CheckpointStatsTracker(100, NO_SECRETS, StatsFixtures::stageName);
    // 1..120 ms: the history keeps 21..120; a failed one in between does not count
    for (long id = 1; id <= 120; id++) {
      bounded.triggered(id, triggerTime(id), false, SnapshotType.CHECKPOINT, ALL_TASKS);
      bounded.completed(id, triggerTime(id) + id, id, id + 2, 10, "chk-" + id);
    }

    DurationPercentiles durations = bounded.snapshot().completedDurations();

    assertThat(durations).isEqualTo(new DurationPercentiles(100, 70, 119, 120));
  }

  @Test
  void historyAndBothDurationPercentilesStayBoundedHoweverManyCheckpointsComplete() {
    CheckpointStatsTracker bounded =
        new CheckpointStatsTracker(100, NO_SECRETS, StatsFixtures::stageName);
    // the first 900 take 5 s to their last acknowledgement, the newest 100 take 20 ms
    for (long id = 1; id <= 1_000; id++) {
      long endToEnd = id <= 900 ? 5_000 : 20;
      bounded.triggered(id, triggerTime(id), false, SnapshotType.CHECKPOINT, ALL_TASKS);
      bounded.completed(
          id, triggerTime(id) + endToEnd + 3, endToEnd, endToEnd + 3, 10, "chk-" + id);
    }

    CheckpointStatsSnapshot snapshot = bounded.snapshot();

    assertThat(snapshot.counts().completed()).isEqualTo(1_000);
    assertThat(snapshot.history()).hasSize(100);
    assertThat(ids(snapshot)).startsWith(1_000L).endsWith(901L);
    assertThat(snapshot.completedDurations()).isEqualTo(new DurationPercentiles(100, 20, 20, 20));
    assertThat(snapshot.completionDurations()).isEqualTo(new DurationPercentiles(100, 23, 23, 23));
  }

  @Test
  void durationPercentilesUseTheNearestRank() {
    assertThat(DurationPercentiles.of(new long[] {42}))
        .isEqualTo(new DurationPercentiles(1, 42, 42, 42));
    assertThat(DurationPercentiles.of(new long[] {9, 1, 5, 3}))
        .isEqualTo(new DurationPercentiles(4, 3, 9, 9));
    assertThat(DurationPercentiles.of(new long[0])).isEqualTo(DurationPercentiles.NONE);
  }

  @Test
  void failedCheckpointsDoNotCountTowardsDurationPercentiles() {
    tracker.triggered(1, triggerTime(1), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.completed(1, triggerTime(1) + 10, 10, 10 + 2, 1, "chk-1");
    tracker.triggered(2, triggerTime(2), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.failed(2, triggerTime(2) + 600_000, CheckpointFailureReason.EXPIRED, null);

    assertThat(tracker.snapshot().completedDurations())
        .isEqualTo(new DurationPercentiles(1, 10, 10, 10));
  }

  @Test
  void aSnapshotIsReusedUntilSomethingChangesAndNeverChangesItself() {
    triggerAndAcknowledgeAll(tracker, 1);
    CheckpointStatsSnapshot before = tracker.snapshot();
    assertThat(tracker.snapshot()).isSameAs(before);

    tracker.completed(1, triggerTime(1) + 30, 30, 30 + 2, 100, "chk-1");
    CheckpointStatsSnapshot after = tracker.snapshot();

    assertThat(after).isNotSameAs(before);
    assertThat(before.history().get(0).status()).isEqualTo(CheckpointStatus.IN_PROGRESS);
    assertThat(before.counts().completed()).isZero();
    assertThat(after.history().get(0).status()).isEqualTo(CheckpointStatus.COMPLETED);
    assertThatThrownBy(() -> after.history().add(after.latestCompleted()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void masksCredentialsInPathsAndFailureMessages() {
    CheckpointStatsTracker masking =
        new CheckpointStatsTracker(
            10, CredentialRedaction.of(List.of("s3cr3t-k3y-value")), StatsFixtures::stageName);
    masking.triggered(1, triggerTime(1), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    masking.failed(
        1,
        triggerTime(1) + 1,
        CheckpointFailureReason.FINALIZE_FAILED,
        "PUT https://minio:9000/b/chk-1?X-Amz-Signature=abcdef0123 denied for s3cr3t-k3y-value");
    masking.triggered(2, triggerTime(2), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    masking.completed(
        2, triggerTime(2) + 1, 1, 1 + 2, 1, "s3://AKIAEXAMPLE:hunter22@minio/b/chk-2");
    masking.restored(2, triggerTime(3), "s3://AKIAEXAMPLE:hunter22@minio/b/chk-2");

    CheckpointStatsSnapshot snapshot = masking.snapshot();

    assertThat(snapshot.latestFailed().failureMessage())
        .isEqualTo("PUT https://minio:9000/b/chk-1?X-Amz-Signature=*** denied for ***");
    assertThat(snapshot.latestCompleted().path()).isEqualTo("s3://***@minio/b/chk-2");
    assertThat(snapshot.latestRestore().path()).isEqualTo("s3://***@minio/b/chk-2");
  }

  @Test
  void refusesAHistoryLimitBelowOne() {
    assertThatThrownBy(() -> new CheckpointStatsTracker(0, NO_SECRETS, StatsFixtures::stageName))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void readersOnOtherThreadsAlwaysSeeConsistentCounts() {
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong snapshotsRead = new AtomicLong();
    CompletableFuture<Void> reader =
        CompletableFuture.runAsync(
            () -> {
              while (writing.get() || snapshotsRead.get() == 0) {
                CheckpointCounts counts = tracker.snapshot().counts();
                assertThat(
                        counts.inProgress()
                            + counts.completed()
                            + counts.failed()
                            + counts.aborted())
                    .isEqualTo(counts.triggered());
                snapshotsRead.incrementAndGet();
              }
            });
    try {
      for (long id = 1; id <= 2_000; id++) {
        triggerAndAcknowledgeAll(tracker, id);
        if (id % 3 == 0) {
          tracker.failed(id, triggerTime(id) + 40, CheckpointFailureReason.EXPIRED, null);
        } else {
          tracker.completed(id, triggerTime(id) + 30, 30, 30 + 2, 100, "chk-" + id);
        }
      }
    } finally {
      writing.set(false);
    }
    reader.join();

    assertThat(snapshotsRead.get()).isPositive();
    assertThat(tracker.snapshot().counts())
        .isEqualTo(new CheckpointCounts(2_000, 0, 1_334, 666, 0, 0));
    assertThat(tracker.snapshot().history()).hasSize(100);
  }
}
