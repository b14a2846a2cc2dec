package dev.weir.runtime;

import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.state.StateBackendKind;
import java.time.Duration;

/**
 * Runtime settings of one job, frozen at start-up.
 *
 * @param jobId the job's directory in checkpoint storage
 * @param bufferTimeout longest time a filled-in buffer waits before it is sent
 * @param bufferSize bytes per network buffer; every record must fit in one
 * @param credits buffers per channel (how far a sender may run ahead of its receiver)
 */
public record JobSettings(
    String jobName,
    String jobId,
    int parallelism,
    int maxParallelism,
    CheckpointConfig checkpoints,
    StateBackendKind stateBackend,
    boolean allowNonRestoredState,
    Duration bufferTimeout,
    int bufferSize,
    int credits) {

  public static final Duration DEFAULT_BUFFER_TIMEOUT = Duration.ofMillis(10);
  public static final int DEFAULT_BUFFER_SIZE = 32 * 1024;
  public static final int DEFAULT_CREDITS = 4;
}
