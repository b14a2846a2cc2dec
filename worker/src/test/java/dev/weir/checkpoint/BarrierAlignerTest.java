package dev.weir.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarrierAlignerTest {
  /** A task's clock (System.nanoTime) is anywhere, never at 0: a fixture at 0 hid a bug. */
  private static final long T0 = 7_300_000_000_000L;

  private final List<String> actions = new ArrayList<>();
  private final BarrierHandler.Actions recorder =
      new BarrierHandler.Actions() {
        @Override
        public void snapshot(long id, long ts, boolean isFinal, long alignmentNanos) {
          actions.add("snapshot " + id + " after " + alignmentNanos + "ns");
        }

        @Override
        public void abort(long id) {
          actions.add("abort " + id);
        }
      };

  @Test
  void blocksEachChannelThatDeliveredTheBarrierUntilAllDid() {
    BarrierAligner aligner = new BarrierAligner(3, recorder);

    aligner.onBarrier(0, 1, 0, false, T0 + 100);
    assertThat(aligner.isBlocked(0)).isTrue();
    assertThat(aligner.isBlocked(1)).isFalse();
    aligner.onBarrier(2, 1, 0, false, T0 + 150);
    assertThat(actions).isEmpty();

    aligner.onBarrier(1, 1, 0, false, T0 + 400);

    assertThat(actions).containsExactly("snapshot 1 after 300ns");
    assertThat(aligner.isBlocked(0) || aligner.isBlocked(1) || aligner.isBlocked(2)).isFalse();
  }

  @Test
  void snapshotsAtOnceWithASingleInput() {
    new BarrierAligner(1, recorder).onBarrier(0, 7, 0, false, 5);

    assertThat(actions).containsExactly("snapshot 7 after 0ns");
  }

  @Test
  void aNewerBarrierAbortsTheAlignmentInProgress() {
    BarrierAligner aligner = new BarrierAligner(2, recorder);
    aligner.onBarrier(0, 1, 0, false, 0);

    aligner.onBarrier(1, 2, 0, false, 0);

    assertThat(actions).containsExactly("abort 1");
    assertThat(aligner.isBlocked(0)).isFalse();
    assertThat(aligner.isBlocked(1)).isTrue();
    aligner.onBarrier(0, 1, 0, false, 0); // stale
    aligner.onBarrier(0, 2, 0, false, 0);
    assertThat(actions).containsExactly("abort 1", "snapshot 2 after 0ns");
  }

  @Test
  void anAbortReleasesTheBlockedChannelsAndLaterBarriersOfItAreIgnored() {
    BarrierAligner aligner = new BarrierAligner(2, recorder);
    aligner.onBarrier(0, 3, 0, false, 0);

    aligner.onAbort(3);

    assertThat(aligner.isBlocked(0)).isFalse();
    aligner.onBarrier(1, 3, 0, false, 0);
    assertThat(actions).containsExactly("abort 3");
  }

  @Test
  void anEndedChannelNoLongerNeedsToDeliverBarriers() {
    BarrierAligner aligner = new BarrierAligner(2, recorder);
    aligner.onBarrier(0, 4, 0, true, T0);

    aligner.onEndOfInput(1, T0 + 250);

    assertThat(actions).containsExactly("snapshot 4 after 250ns");
  }

  @Test
  void trackerNeverBlocksAndSnapshotsWhenTheLastBarrierArrives() {
    BarrierTracker tracker = new BarrierTracker(2, recorder);

    tracker.onBarrier(0, 1, 0, false, 0);
    assertThat(tracker.isBlocked(0)).isFalse();
    tracker.onBarrier(0, 2, 0, false, 0);
    tracker.onBarrier(1, 2, 0, false, 0);

    assertThat(actions).containsExactly("abort 1", "snapshot 2 after 0ns");
    tracker.onBarrier(1, 1, 0, false, 0);
    assertThat(actions).hasSize(2);
  }
}
