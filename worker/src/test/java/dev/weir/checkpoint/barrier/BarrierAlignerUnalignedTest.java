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

/**
 * Exactly-once, unaligned checkpoints: the first barrier snapshots and the data in front of the
 * others becomes channel state; with an alignment timeout, aligned first and unaligned after it.
 */
class BarrierAlignerUnalignedTest {
  private final RecordingActions recorder = new RecordingActions();
  private final List<String> actions = recorder.actions;

  @Test
  void theFirstNoticeSnapshotsAtOnceAndPersistsThatChannelsInFlightData() {
    var handler = BarrierAligner.unaligned(3, 0, recorder);

    handler.onBarrierNotice(1, checkpoint(5), T0);

    assertThat(actions).containsExactly("unaligned snapshot 5 after 0", "persist 5 channel 1");
    assertThat(handler.phase()).isEqualTo(Phase.CAPTURING_IN_FLIGHT);
    assertThat(handler.isBlocked(1)).as("unaligned never blocks").isFalse();
    assertThat(handler.capturingCheckpoint(0)).isEqualTo(5);
    assertThat(handler.capturingCheckpoint(1)).as("persisted up to its barrier").isEqualTo(-1);
  }

  @Test
  void eachChannelIsPersistedOnceAndTheCheckpointIsCapturedWhenAllAre() {
    var handler = BarrierAligner.unaligned(3, 0, recorder);
    handler.onBarrierNotice(0, checkpoint(5), T0);
    handler.onBarrier(0, checkpoint(5), T0 + MS); // its in-band copy, after the data: nothing new
    handler.onBarrierNotice(2, checkpoint(5), T0 + 2 * MS);
    assertThat(actions).doesNotContain("captured 5");

    handler.onBarrierNotice(1, checkpoint(5), T0 + 3 * MS);

    assertThat(actions)
        .containsExactly(
            "unaligned snapshot 5 after 0",
            "persist 5 channel 0",
            "persist 5 channel 2",
            "persist 5 channel 1",
            "captured 5");
    assertThat(handler.phase()).isEqualTo(Phase.WAITING_FOR_FIRST_BARRIER);
    handler.onBarrier(1, checkpoint(5), T0 + 4 * MS);
    handler.onBarrier(2, checkpoint(5), T0 + 5 * MS);
    assertThat(actions).hasSize(5);
  }

  @Test
  void aChannelWhoseInBandBarrierCameFirstHasNothingInFlight() {
    var handler = BarrierAligner.unaligned(2, 0, recorder);

    handler.onBarrier(0, checkpoint(3), T0);
    handler.onBarrierNotice(0, checkpoint(3), T0 + MS); // the late notice of the same barrier
    handler.onBarrierNotice(1, checkpoint(3), T0 + 2 * MS);

    assertThat(actions)
        .containsExactly("unaligned snapshot 3 after 0", "persist 3 channel 1", "captured 3");
  }

  @Test
  void anEndedChannelIsNotWaitedFor() {
    var handler = BarrierAligner.unaligned(2, 0, recorder);
    handler.onEndOfInput(1, T0);

    handler.onBarrierNotice(0, checkpoint(4), T0 + MS);

    assertThat(actions)
        .containsExactly("unaligned snapshot 4 after 0", "persist 4 channel 0", "captured 4");
  }

  @Test
  void aChannelEndingWhileCapturingCompletesTheCheckpoint() {
    var handler = BarrierAligner.unaligned(2, 0, recorder);
    handler.onBarrierNotice(0, checkpoint(4), T0);

    handler.onEndOfInput(1, T0 + MS);

    assertThat(actions).endsWith("captured 4");
    assertThat(handler.phase()).isEqualTo(Phase.WAITING_FOR_FIRST_BARRIER);
  }

  @Test
  void aFinalAlignmentCompletedByAnEndedChannelLastsUntilTheChannelEnded() {
    var handler = BarrierAligner.unaligned(2, 0, recorder);
    handler.onBarrierNotice(0, finalCheckpoint(9), T0); // a final barrier is aligned in band
    handler.onBarrier(0, finalCheckpoint(9), T0 + 5);

    handler.onEndOfInput(1, T0 + 40);

    assertThat(actions).containsExactly("aligned snapshot 9 final after 35");
  }

  @Test
  void finalCheckpointsStayAligned() {
    var handler = BarrierAligner.unaligned(2, 0, recorder);

    handler.onBarrierNotice(0, finalCheckpoint(9), T0);
    handler.onBarrier(0, finalCheckpoint(9), T0);
    assertThat(handler.isBlocked(0)).isTrue();
    handler.checkTimeout(T0 + 3_600_000 * MS);
    handler.onBarrier(1, finalCheckpoint(9), T0 + 7);

    assertThat(actions).containsExactly("aligned snapshot 9 final after 7");
  }

  @Test
  void savepointsStayAlignedAndTheirNoticesAreIgnored() {
    var handler = BarrierAligner.unaligned(2, 100 * MS, recorder);

    handler.onBarrierNotice(1, savepoint(6), T0);
    assertThat(handler.phase()).isEqualTo(Phase.WAITING_FOR_FIRST_BARRIER);
    handler.onBarrier(0, savepoint(6), T0 + MS);
    assertThat(handler.isBlocked(0)).isTrue();
    assertThat(handler.nanosUntilTimeout(T0 + MS)).as("never switches").isEqualTo(Long.MAX_VALUE);
    handler.checkTimeout(T0 + 3_600_000 * MS);
    handler.onBarrier(1, savepoint(6), T0 + 3_600_000 * MS);

    assertThat(actions).containsExactly("aligned snapshot 6 savepoint after " + 3_599_999 * MS);
    assertThat(recorder.snapshotted).containsExactly(savepoint(6));
  }

  @Test
  void withATimeoutACheckpointAlignsWhenBarriersArriveInTime() {
    var handler = BarrierAligner.unaligned(2, 100 * MS, recorder);

    handler.onBarrierNotice(0, checkpoint(1), T0);
    assertThat(handler.phase()).isEqualTo(Phase.ALIGNING);
    handler.onBarrier(0, checkpoint(1), T0 + 10 * MS);
    assertThat(handler.isBlocked(0)).isTrue();
    assertThat(handler.nanosUntilTimeout(T0 + 10 * MS)).isEqualTo(90 * MS);
    handler.onBarrier(1, checkpoint(1), T0 + 50 * MS);

    assertThat(actions).containsExactly("aligned snapshot 1 after " + 50 * MS);
    assertThat(handler.isBlocked(0)).isFalse();
    assertThat(handler.nanosUntilTimeout(T0 + 50 * MS)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anAlignmentThatTimesOutSwitchesToUnalignedAndPersistsOnlyTheChannelsStillWaiting() {
    var handler = BarrierAligner.unaligned(3, 100 * MS, recorder);
    handler.onBarrierNotice(0, checkpoint(1), T0);
    handler.onBarrier(0, checkpoint(1), T0 + 5 * MS); // channel 0 aligned: blocked, data is after
    handler.onBarrierNotice(1, checkpoint(1), T0 + 20 * MS); // channel 1's barrier is behind data
    handler.checkTimeout(T0 + 99 * MS);
    assertThat(actions).isEmpty();
    assertThat(handler.phase()).isEqualTo(Phase.ALIGNING);

    handler.checkTimeout(T0 + 100 * MS);

    assertThat(actions)
        .containsExactly("unaligned snapshot 1 after " + 100 * MS, "persist 1 channel 1");
    assertThat(handler.isBlocked(0)).as("released").isFalse();
    assertThat(handler.phase()).isEqualTo(Phase.CAPTURING_IN_FLIGHT);
    assertThat(handler.capturingCheckpoint(2)).isEqualTo(1);
    handler.onBarrierNotice(2, checkpoint(1), T0 + 120 * MS); // channel 2 persisted when it shows
    assertThat(actions).endsWith("persist 1 channel 2", "captured 1");
    assertThat(handler.phase()).isEqualTo(Phase.WAITING_FOR_FIRST_BARRIER);
  }

  @Test
  void aChannelEndingMidAlignmentCompletesTheAlignmentBeforeItTimesOut() {
    var handler = BarrierAligner.unaligned(2, 100 * MS, recorder);
    handler.onBarrier(0, checkpoint(2), T0);

    handler.onEndOfInput(1, T0 + 30 * MS);

    assertThat(actions).containsExactly("aligned snapshot 2 after " + 30 * MS);
    assertThat(handler.nanosUntilTimeout(T0 + 200 * MS)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aNewerBarrierGivesUpACheckpointStillCapturing() {
    var handler = BarrierAligner.unaligned(2, 0, recorder);
    handler.onBarrierNotice(0, checkpoint(1), T0);

    handler.onBarrierNotice(1, checkpoint(2), T0 + MS);
    handler.onBarrier(1, checkpoint(1), T0 + 2 * MS); // stale in-band copy of 1

    assertThat(actions)
        .containsExactly(
            "unaligned snapshot 1 after 0",
            "persist 1 channel 0",
            "abort 1",
            "unaligned snapshot 2 after 0",
            "persist 2 channel 1");
  }

  @Test
  void aNewerBarrierGivesUpAnAlignmentThatHadNotTimedOutYet() {
    var handler = BarrierAligner.unaligned(2, 100 * MS, recorder);
    handler.onBarrier(0, checkpoint(1), T0);

    handler.onBarrierNotice(1, checkpoint(2), T0 + 40 * MS);

    assertThat(actions).containsExactly("abort 1");
    assertThat(handler.isBlocked(0)).as("released").isFalse();
    assertThat(handler.nanosUntilTimeout(T0 + 40 * MS)).as("measured from 2").isEqualTo(100 * MS);
  }

  @Test
  void anAbortGivesUpTheCheckpointAndLaterBarriersOfItAreIgnored() {
    var handler = BarrierAligner.unaligned(2, 0, recorder);
    handler.onBarrierNotice(0, checkpoint(1), T0);

    handler.onAbort(1, T0 + MS);
    handler.onBarrierNotice(1, checkpoint(1), T0 + 2 * MS);
    handler.onBarrier(0, checkpoint(1), T0 + 3 * MS);

    assertThat(actions)
        .containsExactly("unaligned snapshot 1 after 0", "persist 1 channel 0", "abort 1");
    assertThat(handler.capturingCheckpoint(1)).isEqualTo(-1);
  }

  @Test
  void noticesOfCompletedCheckpointsAreStale() {
    var handler = BarrierAligner.unaligned(1, 0, recorder);
    handler.onBarrierNotice(0, checkpoint(1), T0);

    handler.onBarrierNotice(0, checkpoint(1), T0 + MS);
    handler.onBarrier(0, checkpoint(1), T0 + 2 * MS);

    assertThat(actions)
        .containsExactly("unaligned snapshot 1 after 0", "persist 1 channel 0", "captured 1");
  }
}
