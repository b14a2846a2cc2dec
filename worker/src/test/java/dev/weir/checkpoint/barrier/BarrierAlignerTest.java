package dev.weir.checkpoint.barrier;

import static dev.weir.checkpoint.barrier.RecordingActions.MS;
import static dev.weir.checkpoint.barrier.RecordingActions.T0;
import static dev.weir.checkpoint.barrier.RecordingActions.checkpoint;
import static dev.weir.checkpoint.barrier.RecordingActions.finalCheckpoint;
import static dev.weir.checkpoint.barrier.RecordingActions.savepoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.checkpoint.barrier.BarrierAligner.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exactly-once, aligned checkpoints: the early channels wait for the late ones. */
class BarrierAlignerTest {
  private final RecordingActions recorder = new RecordingActions();
  private final List<String> actions = recorder.actions;

  @Test
  void blocksEachChannelThatDeliveredTheBarrierUntilAllDid() {
    BarrierAligner aligner = BarrierAligner.aligned(3, recorder);
    assertThat(aligner.phase()).isEqualTo(Phase.WAITING_FOR_FIRST_BARRIER);

    aligner.onBarrier(0, checkpoint(1), T0 + 100);
    assertThat(aligner.phase()).isEqualTo(Phase.ALIGNING);
    assertThat(aligner.isBlocked(0)).isTrue();
    assertThat(aligner.isBlocked(1)).isFalse();
    aligner.onBarrier(2, checkpoint(1), T0 + 150);
    assertThat(actions).isEmpty();

    aligner.onBarrier(1, checkpoint(1), T0 + 400);

    assertThat(actions).containsExactly("aligned snapshot 1 after 300");
    assertThat(aligner.phase()).isEqualTo(Phase.WAITING_FOR_FIRST_BARRIER);
    assertThat(aligner.isBlocked(0) || aligner.isBlocked(1) || aligner.isBlocked(2)).isFalse();
  }

  @Test
  void theSnapshotGetsTheWholeBarrierOfItsCheckpoint() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);
    Barrier stopWithSavepoint =
        new Barrier(
            12,
            RecordingActions.TRIGGERED,
            dev.weir.state.SnapshotType.SAVEPOINT, /* final */
            true);

    aligner.onBarrier(1, stopWithSavepoint, T0);
    aligner.onBarrier(0, stopWithSavepoint, T0 + 3 * MS);

    assertThat(recorder.snapshotted).containsExactly(stopWithSavepoint);
    assertThat(actions).containsExactly("aligned snapshot 12 final savepoint after " + 3 * MS);
  }

  @Test
  void snapshotsAtOnceWithASingleInput() {
    BarrierAligner.aligned(1, recorder).onBarrier(0, checkpoint(7), T0);

    assertThat(actions).containsExactly("aligned snapshot 7 after 0");
  }

  @Test
  void aNewerBarrierAbortsTheAlignmentInProgress() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);
    aligner.onBarrier(0, checkpoint(1), T0);

    aligner.onBarrier(1, checkpoint(2), T0 + 10 * MS);

    assertThat(actions).containsExactly("abort 1");
    assertThat(aligner.phase()).isEqualTo(Phase.ALIGNING);
    assertThat(aligner.isBlocked(0)).as("released").isFalse();
    assertThat(aligner.isBlocked(1)).isTrue();
    aligner.onBarrier(0, checkpoint(1), T0 + 20 * MS); // stale
    aligner.onBarrier(0, checkpoint(2), T0 + 30 * MS);
    assertThat(actions).containsExactly("abort 1", "aligned snapshot 2 after " + 20 * MS);
  }

  @Test
  void anAbortReleasesTheBlockedChannelsAndLaterBarriersOfItAreIgnored() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);
    aligner.onBarrier(0, checkpoint(3), T0);

    aligner.onAbort(3, T0 + MS);

    assertThat(aligner.phase()).isEqualTo(Phase.WAITING_FOR_FIRST_BARRIER);
    assertThat(aligner.isBlocked(0)).isFalse();
    aligner.onBarrier(1, checkpoint(3), T0 + 2 * MS);
    assertThat(actions).containsExactly("abort 3");
  }

  @Test
  void anAbortOfACheckpointNotStartedHereMakesItsBarriersStale() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);

    aligner.onAbort(4, T0); // upstream gave it up before any of its barriers got here
    aligner.onBarrier(0, checkpoint(4), T0 + MS);
    aligner.onBarrier(1, checkpoint(4), T0 + 2 * MS);
    aligner.onAbort(4, T0 + 3 * MS); // the coordinator's abort comes after: nothing left to do

    assertThat(actions).containsExactly("abort 4");
    assertThat(aligner.isBlocked(0)).isFalse();
  }

  @Test
  void anAbortOfANewerCheckpointAlsoGivesUpTheAlignmentInProgress() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);
    aligner.onBarrier(0, checkpoint(5), T0);

    aligner.onAbort(6, T0 + MS);

    assertThat(actions).containsExactly("abort 5", "abort 6");
    assertThat(aligner.isBlocked(0)).isFalse();
  }

  @Test
  void anEndedChannelNoLongerNeedsToDeliverBarriers() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);
    aligner.onBarrier(0, finalCheckpoint(4), T0);

    aligner.onEndOfInput(1, T0 + 250);

    assertThat(actions).containsExactly("aligned snapshot 4 final after 250");
  }

  @Test
  void aChannelEndingMidAlignmentCompletesItOnlyOnceEveryOtherOpenChannelDelivered() {
    BarrierAligner aligner = BarrierAligner.aligned(3, recorder);
    aligner.onBarrier(0, finalCheckpoint(8), T0);

    aligner.onEndOfInput(2, T0 + 4 * MS);
    assertThat(actions).isEmpty();
    assertThat(aligner.phase()).isEqualTo(Phase.ALIGNING);
    aligner.onBarrier(1, finalCheckpoint(8), T0 + 9 * MS);

    assertThat(actions).containsExactly("aligned snapshot 8 final after " + 9 * MS);
    aligner.onEndOfInput(2, T0 + 10 * MS); // told twice: counted once
    aligner.onBarrier(0, checkpoint(9), T0 + 11 * MS);
    aligner.onBarrier(1, checkpoint(9), T0 + 12 * MS);
    assertThat(actions).endsWith("aligned snapshot 9 after " + MS);
  }

  @Test
  void alignedCheckpointsIgnoreNoticesAndNeverTimeOut() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);
    aligner.onBarrierNotice(1, checkpoint(1), T0);
    aligner.onBarrier(0, checkpoint(1), T0);

    aligner.checkTimeout(T0 + 3_600_000 * MS);

    assertThat(aligner.nanosUntilTimeout(T0 + 3_600_000 * MS)).isEqualTo(Long.MAX_VALUE);
    assertThat(aligner.capturingCheckpoint(1)).isEqualTo(-1);
    assertThat(aligner.isBlocked(0)).isTrue();
    assertThat(actions).isEmpty();
  }

  @Test
  void savepointsAlignLikeCheckpoints() {
    BarrierAligner aligner = BarrierAligner.aligned(2, recorder);
    aligner.onBarrier(0, savepoint(3), T0);
    assertThat(aligner.isBlocked(0)).isTrue();

    aligner.onBarrier(1, savepoint(3), T0 + 2 * MS);

    assertThat(actions).containsExactly("aligned snapshot 3 savepoint after " + 2 * MS);
  }
}
