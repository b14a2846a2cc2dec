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
 * @param unaligned barriers overtake in-flight buffers, which become part of the checkpoint
 *     (channel state); exactly-once only
 * @param alignedCheckpointTimeout with {@code unaligned}: a checkpoint starts aligned and switches
 *     to unaligned once a task has waited this long for its barriers; zero means unaligned at once.
 *     Final checkpoints are always aligned.
 */
public record CheckpointConfig(
    Duration interval,
    CheckpointingMode mode,
    Duration timeout,
    Duration minPause,
    int maxConcurrent,
    int tolerableFailures,
    int retained,
    boolean incremental,
    boolean unaligned,
    Duration alignedCheckpointTimeout) {

  /**
   * What a manifest's unset {@code spec.checkpointing} fields mean: the one source of the defaults
   * the StreamingJob CRD documents (interval 10s, timeout 10m; {@code ManifestValidatorTest} holds
   * the two together).
   */
  public static final CheckpointConfig DEFAULT =
      new CheckpointConfig(
          Duration.ofSeconds(10),
          CheckpointingMode.EXACTLY_ONCE,
          Duration.ofMinutes(10),
          Duration.ZERO,
          1,
          0,
          1,
          false,
          false,
          Duration.ZERO);

  /** Full, aligned checkpoints. */
  public CheckpointConfig(
      Duration interval,
      CheckpointingMode mode,
      Duration timeout,
      Duration minPause,
      int maxConcurrent,
      int tolerableFailures,
      int retained) {
    this(
        interval,
        mode,
        timeout,
        minPause,
        maxConcurrent,
        tolerableFailures,
        retained,
        false,
        false,
        Duration.ZERO);
  }

  /** This configuration with incremental checkpoints on or off. */
  public CheckpointConfig withIncremental(boolean on) {
    return new CheckpointConfig(
        interval,
        mode,
        timeout,
        minPause,
        maxConcurrent,
        tolerableFailures,
        retained,
        on,
        unaligned,
        alignedCheckpointTimeout);
  }

  public CheckpointConfig {
    require(interval != null && !interval.isNegative(), "interval must be >= 0");
    require(mode != null, "mode must be set");
    require(timeout != null && timeout.toMillis() > 0, "timeout must be > 0");
    require(minPause != null && !minPause.isNegative(), "minPause must be >= 0");
    require(maxConcurrent >= 1, "maxConcurrent must be >= 1");
    require(tolerableFailures >= 0, "tolerableFailures must be >= 0");
    require(retained >= 1, "retained must be >= 1");
    require(
        alignedCheckpointTimeout != null && !alignedCheckpointTimeout.isNegative(),
        "alignedCheckpointTimeout must be >= 0");
    require(
        !unaligned || mode == CheckpointingMode.EXACTLY_ONCE,
        "unaligned checkpoints need mode EXACTLY_ONCE");
    require(
        unaligned || alignedCheckpointTimeout.isZero(),
        "alignedCheckpointTimeout needs unaligned checkpoints");
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
