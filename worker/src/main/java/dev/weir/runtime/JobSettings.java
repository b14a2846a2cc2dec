package dev.weir.runtime;

import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.state.StateBackendKind;
import java.time.Duration;

/**
 * Runtime settings of one job, frozen at start-up.
 *
 * @param jobId the job's directory in checkpoint storage
 * @param bufferTimeout longest time a filled-in buffer waits before it is sent
 * @param bufferSize bytes per buffer of a channel within one process; every record must fit in one
 * @param remoteBufferSize bytes per buffer of a channel between worker processes: one buffer is one
 *     gRPC message, and each message costs the transport far more than its bytes do, so these are
 *     larger (see docs/performance.md); at least {@code bufferSize}
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
    int remoteBufferSize,
    int credits) {

  public JobSettings {
    if (remoteBufferSize < bufferSize) {
      throw new IllegalArgumentException(
          "remote buffers ("
              + remoteBufferSize
              + " bytes) must hold a local buffer ("
              + bufferSize
              + ")");
    }
  }

  public static final Duration DEFAULT_BUFFER_TIMEOUT = Duration.ofMillis(10);
  public static final int DEFAULT_BUFFER_SIZE = 32 * 1024;
  public static final int DEFAULT_REMOTE_BUFFER_SIZE = 128 * 1024;
  public static final int DEFAULT_CREDITS = 4;
}
