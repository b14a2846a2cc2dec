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

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Checkpointing(
      String interval,
      String mode,
      Boolean unaligned,
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
