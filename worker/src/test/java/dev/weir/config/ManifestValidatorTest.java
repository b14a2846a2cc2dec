package dev.weir.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.checkpoint.CheckpointingMode;
import dev.weir.state.StateBackendKind;
import dev.weir.usercode.JobJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
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
  void refusesAnEntryClassThatIsNoClassNameAndLeavesTheRestToLoadingIt() throws Exception {
    assertThatThrownBy(
            () ->
                validator.validate(
                    VALID.replace("dev.weir.jobs.PageViewCount", "'com.example.My Job'"), "f"))
        .hasMessageContaining(
            "spec.job.entryClass: 'com.example.My Job' is not a class name (such as");

    // whether the class exists, and is a job, is known once its jar is at hand (UserCode)
    JobSpec spec =
        new ManifestValidator(name -> null)
            .validate(VALID.replace("dev.weir.jobs.PageViewCount", "no.Such"), "f");
    assertThat(spec.entryClass()).isEqualTo("no.Such");
    assertThat(spec.jar()).isNull();
  }

  @Test
  void readsTheJarUriAsAFileOfThisMachineOrAnS3Object() throws Exception {
    assertThat(withJar(name -> null, "'local:///opt/weir/job.jar'"))
        .isEqualTo(new JobJar.LocalFile("local:///opt/weir/job.jar", Path.of("/opt/weir/job.jar")));
    assertThat(withJar(name -> null, "'file:///tmp/job.jar'"))
        .isEqualTo(new JobJar.LocalFile("file:///tmp/job.jar", Path.of("/tmp/job.jar")));
    assertThat(withJar(name -> null, "target/job.jar"))
        .isEqualTo(new JobJar.LocalFile("target/job.jar", Path.of("target/job.jar")));
    assertThat(((JobJar.LocalFile) withJar(name -> null, "target/job.jar")).path())
        .isEqualTo(Path.of("target/job.jar").toAbsolutePath());

    String s3Storage =
        VALID.replace(
            "storage: {path: /tmp/weir-test}",
            "storage: {bucket: checkpoints, endpoint: 'http://127.0.0.1:9000'}");
    JobJar.S3Object s3 =
        (JobJar.S3Object)
            new ManifestValidator(
                    Map.of("WEIR_S3_ACCESS_KEY", "access", "WEIR_S3_SECRET_KEY", "secret-key")::get)
                .validate(
                    s3Storage.replace("args: [", "jarURI: 's3://jobs/v1/job.jar', args: ["), "f")
                .jar();
    assertThat(s3.bucket().bucket()).isEqualTo("jobs");
    assertThat(s3.bucket().endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(s3.key()).isEqualTo("v1/job.jar");
  }

  @Test
  void refusesAJarUriItCannotFetchNamingTheField() {
    assertThatThrownBy(() -> withJar(name -> null, "'https://example.com/job.jar'"))
        .hasMessageContaining(
            "spec.job.jarURI: unsupported jar location https://example.com/job.jar");
    assertThatThrownBy(() -> withJar(name -> null, "'local://image/job.jar'"))
        .hasMessageContaining("spec.job.jarURI: invalid jar location local://image/job.jar");
    assertThatThrownBy(() -> withJar(name -> null, "'s3://jobs'"))
        .hasMessageContaining("spec.job.jarURI: invalid jar location s3://jobs: expected");
    // local storage and no WEIR_S3_ENDPOINT: nowhere to fetch from
    assertThatThrownBy(() -> withJar(name -> null, "'s3://jobs/job.jar'"))
        .hasMessageContaining("spec.job.jarURI: s3://jobs/job.jar needs an S3 endpoint")
        .hasMessageContaining("WEIR_S3_ENDPOINT");
    assertThatThrownBy(
            () ->
                withJar(
                    Map.of("WEIR_S3_ENDPOINT", "http://127.0.0.1:9000")::get,
                    "'s3://jobs/job.jar'"))
        .hasMessageContaining("spec.job.jarURI: s3://jobs/job.jar: ")
        .hasMessageContaining("no S3 credentials: set the environment variables");
  }

  /** Validates with a fresh validator: one collects the problems of one manifest. */
  private static JobJar withJar(Function<String, String> environment, String jarUri)
      throws Exception {
    return new ManifestValidator(environment)
        .validate(VALID.replace("args: [", "jarURI: " + jarUri + ", args: ["), "f")
        .jar();
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

  @Test
  void aMisspelledFieldIsRefusedNamingItItsLineAndTheFieldsKnownThere() {
    assertThatThrownBy(
            () -> validator.validate(VALID.replace("parallelism: 3", "paralellism: 4"), "pv.yaml"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("pv.yaml")
        .hasMessageContaining("spec.paralellism: unknown field (line 5)")
        .hasMessageContaining("known here: allowNonRestoredState, checkpointing,")
        .hasMessageContaining(" parallelism,");
  }

  @Test
  void everyUnknownFieldIsNamedInOneMessage() {
    String bad =
        VALID
            .replace("interval: 500ms", "intervall: 500ms")
            .replace("kind: StreamingJob", "kind: StreamingJob\nspecs: {}")
            .replace("restartStrategy: {type: fixed-delay", "restartStrategy: {typ: fixed-delay");

    assertThatThrownBy(() -> validator.validate(bad, "f"))
        .hasMessageContaining("spec.checkpointing.intervall: unknown field")
        .hasMessageContaining("specs: unknown field (line 3)")
        .hasMessageContaining("spec.restartStrategy.typ: unknown field");
  }

  @Test
  void theKubernetesOnlyFieldsAreKnownAndIgnoredLocally() throws Exception {
    String kubernetes =
        VALID.replace(
            "spec:\n",
            """
            spec:
              image: registry.example.com/weir/worker:0.1.0
              upgradeMode: savepoint
              upgradeTimeout: 5m
              state: running
              savepointTriggerNonce: 3
              savepointOnDeletion: true
              workers: {resources: {requests: {cpu: 500m}}, podTemplate: {metadata: {labels: {a: b}}}}
              coordinator: {resources: {limits: {memory: 512Mi}}}
            """);
    String withJar = kubernetes.replace("args: [", "jarURI: 'local:///opt/job.jar', args: [");
    assertThat(withJar).isNotEqualTo(VALID);

    assertThat(validator.validate(withJar, "f").parallelism()).isEqualTo(3);
  }

  @Test
  void theManifestsOfTheRepositoryAreValid() throws Exception {
    ManifestValidator withCredentials =
        new ManifestValidator(
            Map.of("WEIR_S3_ACCESS_KEY", "access", "WEIR_S3_SECRET_KEY", "secret-key")::get);
    for (String name : new String[] {"page-view-count.yaml", "page-view-count-k8s.yaml"}) {
      java.nio.file.Path file = java.nio.file.Path.of("..", "manifests", name);
      assertThat(withCredentials.validate(java.nio.file.Files.readString(file), name).name())
          .isEqualTo("page-view-count");
    }
  }

  @Test
  void unsetCheckpointingFieldsTakeTheDefaultsTheCrdDocuments() throws Exception {
    JobSpec spec =
        validator.validate(
            VALID.replace(
                "checkpointing: {interval: 500ms, mode: AT_LEAST_ONCE, timeout: 10s, retained: 2}",
                "checkpointing: {}"),
            "f");
    assertThat(spec.checkpoints()).isEqualTo(CheckpointConfig.DEFAULT);

    com.fasterxml.jackson.databind.JsonNode crd =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(
                java.nio.file.Path.of("..", "crds", "streamingjobs.weir.dev-v1.yml").toFile());
    com.fasterxml.jackson.databind.JsonNode documented =
        crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/checkpointing")
            .path("properties");
    assertThat(documentedDefault(documented, "interval"))
        .isEqualTo(Durations.parse("10s"))
        .isEqualTo(spec.checkpoints().interval());
    assertThat(documentedDefault(documented, "timeout"))
        .isEqualTo(Durations.parse("10m"))
        .isEqualTo(spec.checkpoints().timeout());
    assertThat(documentedDefault(documented, "minPause")).isEqualTo(spec.checkpoints().minPause());
    assertThat(documented.path("maxConcurrent").path("description").asText())
        .endsWith("Default " + spec.checkpoints().maxConcurrent() + ".");
    assertThat(documented.path("tolerableFailures").path("description").asText())
        .endsWith("Default " + spec.checkpoints().tolerableFailures() + ".");
    assertThat(documented.path("retained").path("description").asText())
        .endsWith("Default " + spec.checkpoints().retained() + ".");
  }

  @Test
  void everyFieldTheCrdDeclaresIsKnownToTheRuntime() throws Exception {
    com.fasterxml.jackson.databind.JsonNode spec =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(java.nio.file.Path.of("..", "crds", "streamingjobs.weir.dev-v1.yml").toFile())
            .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    Map<String, Class<?>> models =
        Map.of(
            "", StreamingJobManifest.Spec.class,
            "job", StreamingJobManifest.Job.class,
            "checkpointing", StreamingJobManifest.Checkpointing.class,
            "storage", StreamingJobManifest.Storage.class,
            "restartStrategy", StreamingJobManifest.RestartStrategy.class,
            "workers", StreamingJobManifest.PodSettings.class,
            "coordinator", StreamingJobManifest.PodSettings.class);
    models.forEach(
        (field, model) -> {
          com.fasterxml.jackson.databind.JsonNode properties =
              (field.isEmpty() ? spec : spec.path("properties").path(field)).path("properties");
          assertThat(properties.size()).as(field).isPositive();
          java.util.List<String> known =
              java.util.Arrays.stream(model.getRecordComponents())
                  .map(java.lang.reflect.RecordComponent::getName)
                  .toList();
          properties
              .fieldNames()
              .forEachRemaining(name -> assertThat(known).as("spec." + field).contains(name));
        });
  }

  private static Duration documentedDefault(
      com.fasterxml.jackson.databind.JsonNode properties, String field) {
    String description = properties.path(field).path("description").asText();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("Default (\\S+)\\.$").matcher(description);
    assertThat(m.find()).as(field + ": " + description).isTrue();
    return Durations.parse(m.group(1));
  }
}
