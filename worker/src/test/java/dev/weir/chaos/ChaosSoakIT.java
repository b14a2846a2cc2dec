package dev.weir.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.chaos.ChaosRun.Outcome;
import dev.weir.chaos.ChaosRun.Report;
import dev.weir.chaos.ChaosRun.Workload;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fixed-seed subset of the chaos soak ({@code tools/chaos.sh}): four runs of seed 4 — heap and
 * RocksDB, aligned and unaligned — whose schedules hold every kind of fault (worker SIGKILL,
 * coordinator SIGKILL and restart, SIGSTOP beyond the heartbeat timeout, MinIO down for 26 s, and
 * rescales through savepoints to 3 and to 1). Every fault must actually have been injected, every
 * run must finish, and the committed output must have no lost and no duplicated count. The job runs
 * at half the soak's rate (10 s without faults), so that the faults land before it ends.
 */
class ChaosSoakIT {
  private static final long SEED = 4;

  @Test
  void pageViewCountStaysExactlyOnceThroughEveryKindOfFault(@TempDir Path dir) throws Exception {
    List<ChaosPlan> plans = ChaosSoak.plans(SEED, 4, null);
    List<Report> reports =
        ChaosSoak.soak(plans, new Workload(20_000, 20, 1_000), dir, false, System.out);
    SoakSummary summary = SoakSummary.of(SEED, "it", reports);
    System.out.print(summary.table());

    for (FaultKind kind : FaultKind.values()) {
      assertThat(summary.injected().get(kind)).as("%s injected", kind).isPositive();
    }
    assertThat(reports)
        .allSatisfy(
            r ->
                assertThat(r.outcome())
                    .as("run %d: %s", r.plan().run(), r.detail())
                    .isEqualTo(Outcome.EXACT));
    assertThat(summary.lost()).isZero();
    assertThat(summary.duplicated()).isZero();
    assertThat(reports)
        .as("worker kills were seen by the supervisor")
        .anySatisfy(r -> assertThat(r.workerRestarts()).isPositive());
  }
}
