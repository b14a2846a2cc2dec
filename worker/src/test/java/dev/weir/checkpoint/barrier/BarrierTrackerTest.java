package dev.weir.checkpoint.barrier;

import static dev.weir.checkpoint.barrier.RecordingActions.MS;
import static dev.weir.checkpoint.barrier.RecordingActions.T0;
import static dev.weir.checkpoint.barrier.RecordingActions.checkpoint;
import static dev.weir.checkpoint.barrier.RecordingActions.finalCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** At-least-once: barriers are counted, never waited for. */
class BarrierTrackerTest {
  private final RecordingActions recorder = new RecordingActions();
  private final List<String> actions = recorder.actions;

  @Test
  void neverBlocksAndSnapshotsWhenTheLastBarrierArrives() {
    BarrierTracker tracker = new BarrierTracker(2, recorder);

    tracker.onBarrier(0, checkpoint(1), T0);
    assertThat(tracker.isBlocked(0)).isFalse();
    tracker.onBarrier(0, checkpoint(2), T0 + MS);
    tracker.onBarrier(1, checkpoint(2), T0 + 5 * MS);

    assertThat(actions).containsExactly("abort 1", "aligned snapshot 2 after 0");
    tracker.onBarrier(1, checkpoint(1), T0 + 6 * MS);
    assertThat(actions).hasSize(2);
  }

  @Test
  void theSnapshotGetsTheWholeBarrierOfItsCheckpoint() {
    BarrierTracker tracker = new BarrierTracker(2, recorder);

    tracker.onBarrier(1, finalCheckpoint(4), T0);
    tracker.onBarrier(0, finalCheckpoint(4), T0 + MS);

    assertThat(recorder.snapshotted).containsExactly(finalCheckpoint(4));
  }

  @Test
  void aChannelEndingCompletesTheCheckpointsItWasTheLastMissingBarrierOf() {
    BarrierTracker tracker = new BarrierTracker(3, recorder);
    tracker.onBarrier(0, checkpoint(3), T0);
    tracker.onBarrier(1, checkpoint(3), T0 + MS);

    tracker.onEndOfInput(2, T0 + 2 * MS);

    assertThat(actions).containsExactly("aligned snapshot 3 after 0");
    tracker.onBarrier(0, checkpoint(4), T0 + 3 * MS);
    tracker.onBarrier(1, checkpoint(4), T0 + 4 * MS);
    assertThat(actions).endsWith("aligned snapshot 4 after 0");
  }

  @Test
  void anAbortGivesUpATrackedCheckpointOnceAndLeavesOthersAlone() {
    BarrierTracker tracker = new BarrierTracker(2, recorder);
    tracker.onBarrier(0, checkpoint(5), T0);
    tracker.onBarrier(0, checkpoint(6), T0 + MS);

    tracker.onAbort(5, T0 + 2 * MS);
    tracker.onAbort(5, T0 + 3 * MS);
    tracker.onAbort(9, T0 + 3 * MS); // never seen here: nothing to give up
    tracker.onBarrier(1, checkpoint(6), T0 + 4 * MS);

    assertThat(actions).containsExactly("abort 5", "aligned snapshot 6 after 0");
  }

  @Test
  void holdsNoChannelStateAndNeverTimesOut() {
    BarrierTracker tracker = new BarrierTracker(2, recorder);
    tracker.onBarrierNotice(0, checkpoint(1), T0);
    tracker.onBarrier(0, checkpoint(1), T0);

    tracker.checkTimeout(T0 + 3_600_000 * MS);

    assertThat(tracker.nanosUntilTimeout(T0)).isEqualTo(Long.MAX_VALUE);
    assertThat(tracker.capturingCheckpoint(1)).isEqualTo(-1);
    assertThat(actions).isEmpty();
  }
}
