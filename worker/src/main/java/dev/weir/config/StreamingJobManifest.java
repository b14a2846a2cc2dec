package dev.weir.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A {@code StreamingJob} manifest as written in YAML: the same document a user applies to
 * Kubernetes. Plain data, read by Jackson; {@link ManifestValidator} turns it into a {@link
 * JobSpec}. Fields the local runner does not use (image, resources, podTemplate...) are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamingJobManifest(String apiVersion, String kind, Metadata metadata, Spec spec) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Metadata(String name, String namespace) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Spec(
      Integer parallelism,
      Integer maxParallelism,
      Job job,
      Checkpointing checkpointing,
      String stateBackend,
      Storage storage,
      RestartStrategy restartStrategy,
      Boolean allowNonRestoredState,
      String initialSavepointPath) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Job(String entryClass, String jarURI, List<String> args) {}

  /**
   * How the job checkpoints.
   *
   * @param interval time between checkpoints ({@code 1s}); {@code 0} disables periodic ones
   * @param mode {@code EXACTLY_ONCE} (default; barriers are aligned or, with {@code unaligned},
   *     overtake in-flight data) or {@code AT_LEAST_ONCE} (barriers are tracked, never block)
   * @param unaligned {@code true}: a barrier overtakes the buffers in flight in front of it, which
   *     are stored with the checkpoint (channel state) and replayed before new input on restore, so
   *     checkpoints complete quickly under backpressure. EXACTLY_ONCE only. Final checkpoints (end
   *     of bounded input) stay aligned. A checkpoint with channel state restores at the same
   *     parallelism only.
   * @param alignedCheckpointTimeout with {@code unaligned: true}: checkpoints start aligned and a
   *     task that has been waiting for its barriers longer than this ({@code 2s}) switches that
   *     checkpoint to unaligned. {@code 0} or absent: unaligned from the first barrier
   * @param timeout a checkpoint not complete after this long is aborted (default {@code 1m})
   * @param minPause least time between the end of a checkpoint and the next trigger
   * @param maxConcurrent most checkpoints in progress at once (default 1)
   * @param tolerableFailures consecutive failed checkpoints before the job fails over (default 0)
   * @param retained completed checkpoints kept in storage (default 1)
   * @param incremental not supported yet
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Checkpointing(
      String interval,
      String mode,
      Boolean unaligned,
      String alignedCheckpointTimeout,
      String timeout,
      String minPause,
      Integer maxConcurrent,
      Integer tolerableFailures,
      Integer retained,
      Boolean incremental) {}

  /**
   * Checkpoint storage: an S3 bucket ({@code endpoint}, {@code bucket}, {@code prefix}; credentials
   * from the Secret named {@code credentialsSecret} on Kubernetes, from the environment locally)
   * or, in local mode only, a directory {@code path}.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Storage(
      String endpoint, String bucket, String prefix, String credentialsSecret, String path) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RestartStrategy(
      String type,
      Integer attempts,
      String delay,
      Integer maxFailures,
      String interval,
      String initialDelay,
      String maxDelay,
      Double multiplier,
      String resetAfter) {}
}
