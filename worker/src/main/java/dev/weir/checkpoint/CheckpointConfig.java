package dev.weir.checkpoint;

import java.time.Duration;

/**
 * How a job checkpoints; frozen at start-up.
 *
 * @param interval time between checkpoint triggers; zero disables periodic checkpoints (a final
 *     checkpoint is still taken when bounded sources finish, so sinks commit)
 * @param timeout a checkpoint not complete after this long is aborted
 * @param minPause least time between the end of one checkpoint and the start of the next
 * @param maxConcurrent most checkpoints in progress at once
 * @param tolerableFailures consecutive failed checkpoints tolerated before the job fails over
 * @param retained completed checkpoints kept in storage; older ones are deleted
 * @param incremental keyed state backends that can (RocksDB) upload only what changed since the
 *     last completed checkpoint, to shared files counted by the {@link SharedStateRegistry}
 */
public record CheckpointConfig(
    Duration interval,
    CheckpointingMode mode,
    Duration timeout,
    Duration minPause,
    int maxConcurrent,
    int tolerableFailures,
    int retained,
    boolean incremental) {

  public static final CheckpointConfig DEFAULT =
      new CheckpointConfig(
          Duration.ofSeconds(1),
          CheckpointingMode.EXACTLY_ONCE,
          Duration.ofMinutes(1),
          Duration.ZERO,
          1,
          0,
          1,
          false);

  /** Full checkpoints. */
  public CheckpointConfig(
      Duration interval,
      CheckpointingMode mode,
      Duration timeout,
      Duration minPause,
      int maxConcurrent,
      int tolerableFailures,
      int retained) {
    this(interval, mode, timeout, minPause, maxConcurrent, tolerableFailures, retained, false);
  }

  /** This configuration with incremental checkpoints on or off. */
  public CheckpointConfig withIncremental(boolean on) {
    return new CheckpointConfig(
        interval, mode, timeout, minPause, maxConcurrent, tolerableFailures, retained, on);
  }

  public CheckpointConfig {
    require(interval != null && !interval.isNegative(), "interval must be >= 0");
    require(mode != null, "mode must be set");
    require(timeout != null && timeout.toMillis() > 0, "timeout must be > 0");
    require(minPause != null && !minPause.isNegative(), "minPause must be >= 0");
    require(maxConcurrent >= 1, "maxConcurrent must be >= 1");
    require(tolerableFailures >= 0, "tolerableFailures must be >= 0");
    require(retained >= 1, "retained must be >= 1");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  public boolean periodic() {
    return !interval.isZero();
  }
}
