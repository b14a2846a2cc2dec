package dev.weir.chaos;

import java.time.Duration;

/**
 * One step of a chaos schedule: after {@code delay} (counted from the moment the previous step was
 * done), inject {@code kind}.
 *
 * @param target worker index for {@link FaultKind#WORKER_KILL} and {@link FaultKind#PAUSE}, -1 for
 *     the coordinator (a pause); unused otherwise
 * @param duration how long a pause or a storage outage lasts; zero otherwise
 * @param parallelism the new parallelism of a {@link FaultKind#RESCALE}; zero otherwise
 */
record Fault(FaultKind kind, Duration delay, int target, Duration duration, int parallelism) {

  @Override
  public String toString() {
    String what =
        switch (kind) {
          case WORKER_KILL -> "kill worker " + target;
          case COORDINATOR_KILL -> "kill coordinator";
          case PAUSE ->
              "pause "
                  + (target < 0 ? "coordinator" : "worker " + target)
                  + " "
                  + duration.toMillis()
                  + "ms";
          case STORAGE_OUTAGE -> "minio down " + duration.toMillis() + "ms";
          case RESCALE -> "rescale to " + parallelism;
        };
    return "+" + delay.toMillis() + "ms " + what;
  }
}
