package dev.weir.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChaosPlanTest {

  private static List<ChaosPlan> plans(long seed, int runs) {
    return IntStream.range(0, runs).mapToObj(run -> ChaosPlan.draw(seed, run)).toList();
  }

  @Test
  void theSameSeedAndRunAlwaysGiveTheSameSchedule() {
    assertThat(plans(7, 50)).isEqualTo(plans(7, 50));
    assertThat(ChaosPlan.draw(7, 42)).isEqualTo(plans(7, 50).get(42));
  }

  @Test
  void anotherSeedGivesOtherSchedules() {
    assertThat(plans(8, 50)).isNotEqualTo(plans(7, 50));
  }

  @Test
  void everyFourConsecutiveRunsCoverBothBackendsAlignedAndUnaligned() {
    assertThat(plans(3, 4))
        .extracting(p -> p.backend() + "/" + p.unaligned())
        .containsExactly("heap/false", "rocksdb/false", "heap/true", "rocksdb/true");
  }

  @Test
  void pausesOutlastTheHeartbeatTimeoutAndOutagesLastTenToThirtySeconds() {
    List<Fault> faults = plans(11, 500).stream().flatMap(p -> p.faults().stream()).toList();
    assertThat(faults)
        .filteredOn(f -> f.kind() == FaultKind.PAUSE)
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.duration()).isGreaterThan(ChaosPlan.HEARTBEAT_TIMEOUT));
    assertThat(faults)
        .filteredOn(f -> f.kind() == FaultKind.STORAGE_OUTAGE)
        .isNotEmpty()
        .allSatisfy(
            f ->
                assertThat(f.duration()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(30)));
  }

  @Test
  void aScheduleRescalesAtMostOnceAndAddressesOnlyWorkersThatExist() {
    for (ChaosPlan plan : plans(5, 500)) {
      assertThat(plan.faults()).filteredOn(f -> f.kind() == FaultKind.RESCALE).hasSizeLessThan(2);
      int parallelism = plan.parallelism();
      for (Fault f : plan.faults()) {
        if (f.kind() == FaultKind.RESCALE) {
          assertThat(f.parallelism()).isNotEqualTo(parallelism).isPositive();
          parallelism = f.parallelism();
        } else if (f.kind() == FaultKind.WORKER_KILL || f.kind() == FaultKind.PAUSE) {
          assertThat(f.target()).as("%s", plan).isBetween(-1, parallelism - 1);
        }
      }
    }
  }

  @Test
  void everyKindOfFaultComesUpInASoak() {
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    plans(1, 40).forEach(p -> p.faults().forEach(f -> kinds.add(f.kind())));
    assertThat(kinds).containsExactlyInAnyOrder(FaultKind.values());
  }

  @Test
  void thePlanLineNamesSeedRunAndEveryFault() {
    ChaosPlan plan = ChaosPlan.draw(4, 3);
    assertThat(plan.toString())
        .startsWith("PLAN seed=4 run=3 rocksdb unaligned p=2 faults=[")
        .contains(plan.faults().get(0).toString());
  }
}
