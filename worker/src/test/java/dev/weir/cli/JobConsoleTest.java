package dev.weir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.checkpoint.TaskId;
import dev.weir.state.SnapshotType;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobConsoleTest {
  private static final long T0 = 1_763_740_920_000L;
  private static final Set<TaskId> TASKS = Set.of(new TaskId(0, 0));

  @Test
  void theResultLineCountsEveryCheckpointButTakesItsPercentilesFromTheBoundedHistory() {
    CheckpointStatsTracker tracker =
        new CheckpointStatsTracker(100, CredentialRedaction.of(List.of()), stage -> null);
    tracker.triggered(1, T0, false, SnapshotType.CHECKPOINT, TASKS);
    tracker.failed(1, T0 + 60_000, CheckpointFailureReason.EXPIRED, null);
    // 2..51 took 9 s each and have left the history; 52..151 took 1..100 ms
    for (long id = 2; id <= 151; id++) {
      long trigger = T0 + id * 10_000;
      long endToEnd = id <= 51 ? 9_000 : id - 51;
      tracker.triggered(id, trigger, false, SnapshotType.CHECKPOINT, TASKS);
      tracker.completed(
          id, trigger + endToEnd + 5, endToEnd, endToEnd + 5, 1_000 + id, "chk-" + id);
    }

    assertThat(JobConsole.checkpointSummary(tracker.snapshot()))
        .isEqualTo(
            "checkpoints[completed=150 failed=1 p50Ms=50 p99Ms=99 maxMs=100 completeP50Ms=55"
                + " lastSizeBytes=1151]");
  }
}
