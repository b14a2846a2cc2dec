package dev.weir.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnalignedBarrierHandlerTest {
  private static final long MS = 1_000_000L;
  private final List<String> actions = new ArrayList<>();
  private final UnalignedBarrierHandler.Actions recorder =
      new UnalignedBarrierHandler.Actions() {
        @Override
        public void snapshot(long id, long ts, boolean isFinal, long alignmentNanos) {
          actions.add(
              "aligned snapshot " + id + (isFinal ? " final" : "") + " after " + alignmentNanos);
        }

        @Override
        public void snapshotUnaligned(long id, long ts, long alignmentNanos) {
          actions.add("unaligned snapshot " + id + " after " + alignmentNanos);
        }

        @Override
        public void persistInFlight(long id, int channel) {
          actions.add("persist " + id + " channel " + channel);
        }

        @Override
        public void inFlightCaptured(long id) {
          actions.add("captured " + id);
        }

        @Override
        public void abort(long id) {
          actions.add("abort " + id);
        }
      };

  @Test
  void theFirstNoticeSnapshotsAtOnceAndPersistsThatChannelsInFlightData() {
    var handler = new UnalignedBarrierHandler(3, 0, recorder);

    handler.onPriorityBarrier(1, 5, 0, false, 0);

    assertThat(actions).containsExactly("unaligned snapshot 5 after 0", "persist 5 channel 1");
    assertThat(handler.isBlocked(1)).as("unaligned never blocks").isFalse();
  }

  @Test
  void eachChannelIsPersistedOnceAndTheCheckpointIsCapturedWhenAllAre() {
    var handler = new UnalignedBarrierHandler(3, 0, recorder);
    handler.onPriorityBarrier(0, 5, 0, false, 0);
    handler.onBarrier(0, 5, 0, false, 0); // its in-band copy, after the data: nothing new
    handler.onPriorityBarrier(2, 5, 0, false, 0);
    assertThat(actions).doesNotContain("captured 5");

    handler.onPriorityBarrier(1, 5, 0, false, 0);

    assertThat(actions)
        .containsExactly(
            "unaligned snapshot 5 after 0",
            "persist 5 channel 0",
            "persist 5 channel 2",
            "persist 5 channel 1",
            "captured 5");
    handler.onBarrier(1, 5, 0, false, 0);
    handler.onBarrier(2, 5, 0, false, 0);
    assertThat(actions).hasSize(5);
  }

  @Test
  void aChannelWhoseInBandBarrierCameFirstHasNothingInFlight() {
    var handler = new UnalignedBarrierHandler(2, 0, recorder);

    handler.onBarrier(0, 3, 0, false, 0);
    handler.onPriorityBarrier(0, 3, 0, false, 0); // the late notice of the same barrier
    handler.onPriorityBarrier(1, 3, 0, false, 0);

    assertThat(actions)
        .containsExactly("unaligned snapshot 3 after 0", "persist 3 channel 1", "captured 3");
  }

  @Test
  void anEndedChannelIsNotWaitedFor() {
    var handler = new UnalignedBarrierHandler(2, 0, recorder);
    handler.onEndOfInput(1, 0);

    handler.onPriorityBarrier(0, 4, 0, false, 0);

    assertThat(actions)
        .containsExactly("unaligned snapshot 4 after 0", "persist 4 channel 0", "captured 4");
  }

  @Test
  void aChannelEndingWhileCapturingCompletesTheCheckpoint() {
    var handler = new UnalignedBarrierHandler(2, 0, recorder);
    handler.onPriorityBarrier(0, 4, 0, false, 0);

    handler.onEndOfInput(1, 0);

    assertThat(actions).endsWith("captured 4");
  }

  @Test
  void aFinalAlignmentCompletedByAnEndedChannelLastsUntilTheChannelEnded() {
    long t0 = 7_300_000_000_000L; // a task's clock is never at 0
    var handler = new UnalignedBarrierHandler(2, 0, recorder);
    handler.onPriorityBarrier(0, 9, 0, true, t0); // a final barrier is aligned in band
    handler.onBarrier(0, 9, 0, true, t0 + 5);

    handler.onEndOfInput(1, t0 + 40);

    assertThat(actions).containsExactly("aligned snapshot 9 final after 35");
  }

  @Test
  void finalCheckpointsStayAligned() {
    var handler = new UnalignedBarrierHandler(2, 0, recorder);

    handler.onPriorityBarrier(0, 9, 0, true, 0);
    handler.onBarrier(0, 9, 0, true, 0);
    assertThat(handler.isBlocked(0)).isTrue();
    handler.checkTimeout(Long.MAX_VALUE / 2);
    handler.onBarrier(1, 9, 0, true, 7);

    assertThat(actions).containsExactly("aligned snapshot 9 final after 7");
  }

  @Test
  void withATimeoutACheckpointAlignsWhenBarriersArriveInTime() {
    var handler = new UnalignedBarrierHandler(2, 100 * MS, recorder);

    handler.onPriorityBarrier(0, 1, 0, false, 0);
    handler.onBarrier(0, 1, 0, false, 10 * MS);
    assertThat(handler.isBlocked(0)).isTrue();
    assertThat(handler.nanosUntilTimeout(10 * MS)).isEqualTo(90 * MS);
    handler.onBarrier(1, 1, 0, false, 50 * MS);

    assertThat(actions).containsExactly("aligned snapshot 1 after " + 50 * MS);
    assertThat(handler.isBlocked(0)).isFalse();
    assertThat(handler.nanosUntilTimeout(50 * MS)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anAlignmentThatTimesOutSwitchesToUnalignedAndPersistsOnlyTheChannelsStillWaiting() {
    var handler = new UnalignedBarrierHandler(3, 100 * MS, recorder);
    handler.onPriorityBarrier(0, 1, 0, false, 0);
    handler.onBarrier(0, 1, 0, false, 5 * MS); // channel 0 aligned: blocked, its data is after
    handler.onPriorityBarrier(1, 1, 0, false, 20 * MS); // channel 1's barrier is behind data
    handler.checkTimeout(99 * MS);
    assertThat(actions).isEmpty();

    handler.checkTimeout(100 * MS);

    assertThat(actions)
        .containsExactly("unaligned snapshot 1 after " + 100 * MS, "persist 1 channel 1");
    assertThat(handler.isBlocked(0)).as("released").isFalse();
    assertThat(handler.capturing()).isTrue();
    handler.onPriorityBarrier(2, 1, 0, false, 120 * MS); // channel 2 is persisted when it shows
    assertThat(actions).endsWith("persist 1 channel 2", "captured 1");
  }

  @Test
  void aNewerBarrierGivesUpACheckpointStillCapturing() {
    var handler = new UnalignedBarrierHandler(2, 0, recorder);
    handler.onPriorityBarrier(0, 1, 0, false, 0);

    handler.onPriorityBarrier(1, 2, 0, false, 0);
    handler.onBarrier(1, 1, 0, false, 0); // stale in-band copy of 1

    assertThat(actions)
        .containsExactly(
            "unaligned snapshot 1 after 0",
            "persist 1 channel 0",
            "abort 1",
            "unaligned snapshot 2 after 0",
            "persist 2 channel 1");
  }

  @Test
  void anAbortGivesUpTheCheckpointAndLaterBarriersOfItAreIgnored() {
    var handler = new UnalignedBarrierHandler(2, 0, recorder);
    handler.onPriorityBarrier(0, 1, 0, false, 0);

    handler.onAbort(1);
    handler.onPriorityBarrier(1, 1, 0, false, 0);
    handler.onBarrier(0, 1, 0, false, 0);

    assertThat(actions)
        .containsExactly("unaligned snapshot 1 after 0", "persist 1 channel 0", "abort 1");
  }

  @Test
  void noticesOfCompletedCheckpointsAreStale() {
    var handler = new UnalignedBarrierHandler(1, 0, recorder);
    handler.onPriorityBarrier(0, 1, 0, false, 0);

    handler.onPriorityBarrier(0, 1, 0, false, 0);
    handler.onBarrier(0, 1, 0, false, 0);

    assertThat(actions)
        .containsExactly("unaligned snapshot 1 after 0", "persist 1 channel 0", "captured 1");
  }
}
