package dev.weir.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A {@code StreamingJob} manifest as written in YAML: the same document a user applies to
 * Kubernetes. Plain data, read by Jackson; {@link ManifestValidator} turns it into a {@link
 * JobSpec}.
 *
 * <p>Every field a manifest may have is declared here, so that any other field is refused, naming
 * it and its line (a typo such as {@code paralellism} would otherwise run the job with a default).
 * The fields only the Kubernetes operator uses (those of {@code
 * dev.weir.operator.api.StreamingJobSpec}: {@code image}, {@code upgradeMode}, {@code
 * upgradeTimeout}, {@code state}, {@code coordinator}/{@code workers} with {@code resources} and
 * {@code podTemplate}, {@code savepointTriggerNonce}, {@code savepointOnDeletion}; {@code
 * storage.credentialsSecret}) are known and ignored in local mode. {@code metadata} belongs to
 * Kubernetes (labels, annotations, uid, ...): only its {@code name} is read, the rest is ignored;
 * so is {@code status}.
 */
public record StreamingJobManifest(
    String apiVersion, String kind, Metadata metadata, Spec spec, JsonNode status) {

  /** Kubernetes object metadata: only the name is used; other fields are Kubernetes' own. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Metadata(String name, String namespace) {}

  /**
   * @param image Kubernetes only: the container image
   * @param upgradeMode Kubernetes only: how state crosses a restart caused by a spec change
   * @param upgradeTimeout Kubernetes only: how long an upgrade may take before a rollback
   * @param state Kubernetes only: running or suspended
   * @param coordinator Kubernetes only: the coordinator pod's resources and template
   * @param workers Kubernetes only: the worker pods' resources and template
   * @param savepointTriggerNonce Kubernetes only: a change takes a savepoint
   * @param savepointOnDeletion Kubernetes only: stop with a savepoint when deleted
   */
  public record Spec(
      Integer parallelism,
      Integer maxParallelism,
      Job job,
      Checkpointing checkpointing,
      String stateBackend,
      Storage storage,
      RestartStrategy restartStrategy,
      Boolean allowNonRestoredState,
      String initialSavepointPath,
      String image,
      String upgradeMode,
      String upgradeTimeout,
      String state,
      PodSettings coordinator,
      PodSettings workers,
      Long savepointTriggerNonce,
      Boolean savepointOnDeletion) {}

  /**
   * @param entryClass the class implementing {@code dev.weir.api.StreamJob}
   * @param jarURI the jar with the job's classes, when they are not the runtime's (the built-in
   *     jobs): {@code local:///path/in/image.jar}, {@code file:///path/job.jar} or a path (this
   *     machine's or the container's file system), or {@code s3://bucket/key} (fetched with the
   *     job's storage endpoint and credentials); see docs/writing-jobs.md
   */
  public record Job(String entryClass, String jarURI, List<String> args) {}

  /** Kubernetes only: the resources and Pod template of one role; not read in local mode. */
  public record PodSettings(JsonNode resources, JsonNode podTemplate) {}

  /**
   * How the job checkpoints. Unset fields take {@link dev.weir.checkpoint.CheckpointConfig#DEFAULT}
   * (the defaults the CRD documents).
   *
   * @param interval time between checkpoints (default {@code 10s}); {@code 0} disables periodic
   *     ones
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
   * @param timeout a checkpoint not complete after this long is aborted (default {@code 10m})
   * @param minPause least time between the end of a checkpoint and the next trigger (default 0)
   * @param maxConcurrent most checkpoints in progress at once (default 1)
   * @param tolerableFailures consecutive failed checkpoints before the job fails over (default 0)
   * @param retained completed checkpoints kept in storage (default 1)
   * @param incremental RocksDB only: upload only the table files new since the last checkpoint
   */
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
  public record Storage(
      String endpoint, String bucket, String prefix, String credentialsSecret, String path) {}

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
