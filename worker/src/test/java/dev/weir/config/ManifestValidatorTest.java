package dev.weir.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.checkpoint.CheckpointingMode;
import dev.weir.state.StateBackendKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestValidatorTest {
  private static final String VALID =
      """
      apiVersion: weir.dev/v1alpha1
      kind: StreamingJob
      metadata: {name: pv}
      spec:
        parallelism: 3
        job: {entryClass: dev.weir.jobs.PageViewCount, args: [--events, "10"]}
        checkpointing: {interval: 500ms, mode: AT_LEAST_ONCE, timeout: 10s, retained: 2}
        stateBackend: rocksdb
        storage: {path: /tmp/weir-test}
        restartStrategy: {type: fixed-delay, attempts: 5, delay: 100ms}
      """;

  private final ManifestValidator validator = new ManifestValidator(Map.<String, String>of()::get);

  @Test
  void acceptsIncrementalCheckpointsWithRocksDbAndRefusesThemWithTheHeapBackend() throws Exception {
    String incremental = VALID.replace("retained: 2}", "retained: 2, incremental: true}");
    assertThat(validator.validate(incremental, "f").checkpoints().incremental()).isTrue();
    assertThat(validator.validate(VALID, "f").checkpoints().incremental()).isFalse();

    assertThatThrownBy(() -> validator.validate(incremental.replace("rocksdb", "heap"), "pv.yaml"))
        .hasMessageContaining("spec.checkpointing.incremental")
        .hasMessageContaining("rocksdb");
  }

  @Test
  void turnsAValidManifestIntoATypedSpec() throws Exception {
    JobSpec spec = validator.validate(VALID, "pv.yaml");

    assertThat(spec.parallelism()).isEqualTo(3);
    assertThat(spec.maxParallelism()).isEqualTo(128);
    assertThat(spec.args()).containsExactly("--events", "10");
    assertThat(spec.checkpoints().interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(spec.checkpoints().mode()).isEqualTo(CheckpointingMode.AT_LEAST_ONCE);
    assertThat(spec.checkpoints().retained()).isEqualTo(2);
    assertThat(spec.stateBackend()).isEqualTo(StateBackendKind.ROCKSDB);
    assertThat(spec.storage().describe()).contains("/tmp/weir-test");
    assertThat(spec.restartStrategyDescription()).contains("fixed-delay");
  }

  @Test
  void namesEveryBadFieldInOneMessage() {
    String bad =
        VALID
            .replace("parallelism: 3", "parallelism: 0")
            .replace("stateBackend: rocksdb", "stateBackend: rockdb")
            .replace("interval: 500ms", "interval: soon");

    assertThatThrownBy(() -> validator.validate(bad, "pv.yaml"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("pv.yaml")
        .hasMessageContaining("spec.parallelism: must be >= 1 (got 0)")
        .hasMessageContaining("spec.stateBackend: unknown state backend 'rockdb'")
        .hasMessageContaining("spec.checkpointing.interval");
  }

  @Test
  void refusesParallelismAboveMaxParallelism() {
    assertThatThrownBy(
            () -> validator.validate(VALID.replace("parallelism: 3", "parallelism: 300"), "f"))
        .hasMessageContaining("spec.parallelism: must be <= spec.maxParallelism (128)");
  }

  @Test
  void refusesAnEntryClassThatIsNotAJob() {
    assertThatThrownBy(
            () ->
                validator.validate(
                    VALID.replace("dev.weir.jobs.PageViewCount", "java.lang.String"), "f"))
        .hasMessageContaining(
            "spec.job.entryClass: java.lang.String does not implement dev.weir.api.StreamJob");
    assertThatThrownBy(
            () -> validator.validate(VALID.replace("dev.weir.jobs.PageViewCount", "no.Such"), "f"))
        .hasMessageContaining("class no.Such is not on the class path");
  }

  @Test
  void refusesS3StorageWithoutEndpointOrCredentials() {
    String s3 = VALID.replace("storage: {path: /tmp/weir-test}", "storage: {bucket: b}");
    assertThatThrownBy(() -> validator.validate(s3, "f"))
        .hasMessageContaining("spec.storage.endpoint: is required");

    String noCredentials =
        VALID.replace(
            "storage: {path: /tmp/weir-test}",
            "storage: {bucket: b, endpoint: 'http://127.0.0.1:1'}");
    assertThatThrownBy(() -> validator.validate(noCredentials, "f"))
        .hasMessageContaining("spec.storage");
  }

  @Test
  void pointsAtTheFieldOfAWronglyTypedValue() {
    assertThatThrownBy(
            () -> validator.validate(VALID.replace("parallelism: 3", "parallelism: three"), "f"))
        .hasMessageContaining("spec.parallelism");
  }

  @Test
  void refusesAWrongKindAndBrokenYaml() {
    assertThatThrownBy(
            () -> validator.validate(VALID.replace("kind: StreamingJob", "kind: Deployment"), "f"))
        .hasMessageContaining("kind: must be StreamingJob");
    assertThatThrownBy(() -> validator.validate("metadata: name: x", "f"))
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void unalignedCheckpointsWithAnAlignmentTimeoutAreAccepted() throws Exception {
    JobSpec spec =
        validator.validate(
            VALID.replace(
                "mode: AT_LEAST_ONCE",
                "mode: EXACTLY_ONCE, unaligned: true, alignedCheckpointTimeout: 2s"),
            "pv.yaml");

    assertThat(spec.checkpoints().unaligned()).isTrue();
    assertThat(spec.checkpoints().alignedCheckpointTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void unalignedCheckpointsNeedExactlyOnce() {
    assertThatThrownBy(
            () ->
                validator.validate(
                    VALID.replace("mode: AT_LEAST_ONCE", "mode: AT_LEAST_ONCE, unaligned: true"),
                    "pv.yaml"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining(
            "spec.checkpointing.unaligned: unaligned checkpoints need mode EXACTLY_ONCE");
  }

  @Test
  void anAlignmentTimeoutNeedsUnalignedCheckpoints() {
    assertThatThrownBy(
            () ->
                validator.validate(
                    VALID.replace(
                        "mode: AT_LEAST_ONCE", "mode: EXACTLY_ONCE, alignedCheckpointTimeout: 2s"),
                    "pv.yaml"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("spec.checkpointing.alignedCheckpointTimeout")
        .hasMessageContaining("needs unaligned: true");
  }
}
