package dev.weir.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The schedule of one chaos run, drawn from the soak's seed and the run's index alone: the same
 * {@code (seed, run)} always gives the same plan, so a failing run is replayed with {@code --seed S
 * --run I}. The state backend and the checkpoint mode follow the run index (every four consecutive
 * runs cover heap/rocksdb x aligned/unaligned); the faults, their moments and durations are random.
 *
 * @param parallelism the parallelism the job starts with
 */
record ChaosPlan(
    long seed, int run, String backend, boolean unaligned, int parallelism, List<Fault> faults) {

  /** Every pause outlasts the heartbeat timeout of the coordinator by this much at least. */
  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);

  static final Duration MIN_OUTAGE = Duration.ofSeconds(10);
  static final Duration MAX_OUTAGE = Duration.ofSeconds(30);

  ChaosPlan {
    faults = List.copyOf(faults);
  }

  static ChaosPlan draw(long seed, int run) {
    SplittableRandom random = new SplittableRandom(mix(seed, run));
    String backend = run % 2 == 0 ? "heap" : "rocksdb";
    boolean unaligned = (run / 2) % 2 == 1;
    int parallelism = 2;
    List<Fault> faults = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      // the first fault waits for a completed checkpoint and then up to 2 s; later ones may hit
      // the job while it is still restoring from the previous one
      Duration delay =
          Duration.ofMillis(i == 0 ? 300 + random.nextInt(1700) : random.nextInt(1500));
      faults.add(fault(random, delay, parallelism));
    }
    if (random.nextInt(3) == 0) {
      int at = random.nextInt(faults.size() + 1);
      int to = random.nextBoolean() ? 1 : 3;
      Duration delay = Duration.ofMillis(300 + random.nextInt(1200));
      faults.add(at, new Fault(FaultKind.RESCALE, delay, 0, Duration.ZERO, to));
      // the steps after a rescale address the workers of the new parallelism
      for (int i = at + 1; i < faults.size(); i++) {
        Fault f = faults.get(i);
        faults.set(i, new Fault(f.kind(), f.delay(), f.target() % to, f.duration(), 0));
      }
    }
    return new ChaosPlan(seed, run, backend, unaligned, parallelism, faults);
  }

  private static Fault fault(SplittableRandom random, Duration delay, int parallelism) {
    int draw = random.nextInt(8); // weights: worker kill 3, coordinator kill 2, pause 2, outage 1
    if (draw < 3) {
      return new Fault(FaultKind.WORKER_KILL, delay, random.nextInt(parallelism), Duration.ZERO, 0);
    }
    if (draw < 5) {
      return new Fault(FaultKind.COORDINATOR_KILL, delay, -1, Duration.ZERO, 0);
    }
    if (draw < 7) {
      int target = random.nextInt(4) == 0 ? -1 : random.nextInt(parallelism);
      Duration pause = HEARTBEAT_TIMEOUT.plusMillis(500 + random.nextInt(2500));
      return new Fault(FaultKind.PAUSE, delay, target, pause, 0);
    }
    Duration outage =
        MIN_OUTAGE.plusMillis(random.nextLong(MAX_OUTAGE.minus(MIN_OUTAGE).toMillis() + 1));
    return new Fault(FaultKind.STORAGE_OUTAGE, delay, -1, outage, 0);
  }

  /** The seed of run {@code run}: independent of every other run's draws. */
  private static long mix(long seed, int run) {
    long z = seed + 0x9E3779B97F4A7C15L * (run + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  boolean rescales() {
    return faults.stream().anyMatch(f -> f.kind() == FaultKind.RESCALE);
  }

  /** One line: what to look for in a log, and what {@code --seed S --run I} replays. */
  @Override
  public String toString() {
    return "PLAN seed=%d run=%d %s %s p=%d faults=%s"
        .formatted(seed, run, backend, unaligned ? "unaligned" : "aligned", parallelism, faults);
  }
}
