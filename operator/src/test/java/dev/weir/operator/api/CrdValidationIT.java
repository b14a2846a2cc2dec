package dev.weir.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testbed.ExternalCommand;
import dev.weir.testbed.KubeApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed CRD, applied with real kubectl to a real API server, refuses bad manifests. */
class CrdValidationIT {
  private static KubeApiServer api;

  @BeforeAll
  static void installCrd() {
    api = KubeApiServer.start();
    CommittedCrd.install(api);
  }

  @AfterAll
  static void stopApiServer() {
    api.close();
  }

  private static String manifest(String name, String specExtra, String storage) {
    return """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: %s, namespace: default}
        spec:
          image: weir/worker:test
          job: {entryClass: dev.weir.jobs.PageViewCount}
        %s%s"""
        .formatted(name, specExtra, storage);
  }

  private static final String STORAGE =
      "  storage: {endpoint: 'http://minio:9000', bucket: checkpoints}\n";

  private static ExternalCommand.Result apply(String yaml) throws IOException {
    Path file = Files.createTempFile("streamingjob", ".yaml");
    Files.writeString(file, yaml);
    return api.kubectl("apply", "-f", file.toString());
  }

  @Test
  void acceptsAValidManifestAndFillsDefaults() throws IOException {
    ExternalCommand.Result result = apply(manifest("valid", "  parallelism: 2\n", STORAGE));
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    String upgradeMode =
        api.kubectl("get", "sj", "valid", "-o", "jsonpath={.spec.upgradeMode}/{.spec.state}")
            .orThrow();
    assertThat(upgradeMode).isEqualTo("savepoint/running");
  }

  @Test
  void refusesParallelismZero() throws IOException {
    ExternalCommand.Result result = apply(manifest("zero", "  parallelism: 0\n", STORAGE));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("spec.parallelism")
        .contains("should be greater than or equal to 1");
  }

  @Test
  void refusesParallelismAboveMaxParallelism() throws IOException {
    ExternalCommand.Result result =
        apply(manifest("over", "  parallelism: 8\n  maxParallelism: 4\n", STORAGE));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("spec.parallelism")
        .contains("spec.parallelism must be less than or equal to spec.maxParallelism");
  }

  @Test
  void refusesAnUnknownUpgradeMode() throws IOException {
    ExternalCommand.Result result = apply(manifest("mode", "  upgradeMode: fast\n", STORAGE));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("spec.upgradeMode")
        .contains("Unsupported value: \"fast\"")
        .contains("\"last-state\", \"savepoint\", \"stateless\"");
  }

  @Test
  void refusesAManifestWithoutStorage() throws IOException {
    ExternalCommand.Result result = apply(manifest("nostorage", "", ""));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("spec.storage: Required value");
  }

  @Test
  void refusesALocalStoragePathWithAMessageSayingWhatToUse() throws IOException {
    ExternalCommand.Result result =
        apply(manifest("localpath", "", "  storage: {path: weir-local/checkpoints}\n"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("spec.storage.path is a local directory for tools/local.sh only")
        .contains("spec.storage.endpoint and spec.storage.bucket are required");
  }

  @Test
  void refusesAMalformedDuration() throws IOException {
    ExternalCommand.Result result =
        apply(manifest("duration", "  checkpointing: {interval: soon}\n", STORAGE));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("spec.checkpointing.interval").contains("should match");
  }

  @Test
  void refusesIncrementalCheckpointsWithTheHeapBackend() throws IOException {
    ExternalCommand.Result result =
        apply(
            manifest(
                "incremental",
                "  stateBackend: heap\n  checkpointing: {incremental: true}\n",
                STORAGE));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("spec.checkpointing.incremental needs stateBackend: rocksdb");
  }

  @Test
  void refusesUnalignedAtLeastOnceAndAnAlignmentTimeoutWithoutUnaligned() throws IOException {
    ExternalCommand.Result atLeastOnce =
        apply(
            manifest(
                "unaligned", "  checkpointing: {mode: AT_LEAST_ONCE, unaligned: true}\n", STORAGE));
    assertThat(atLeastOnce.exitCode()).isNotZero();
    assertThat(atLeastOnce.stderr())
        .contains("spec.checkpointing.unaligned needs mode EXACTLY_ONCE");
    ExternalCommand.Result timeout =
        apply(
            manifest("alignment", "  checkpointing: {alignedCheckpointTimeout: 200ms}\n", STORAGE));
    assertThat(timeout.exitCode()).isNotZero();
    assertThat(timeout.stderr())
        .contains("spec.checkpointing.alignedCheckpointTimeout needs unaligned: true");
    ExternalCommand.Result valid =
        apply(
            manifest(
                "unaligned-ok",
                "  stateBackend: rocksdb\n  checkpointing: {unaligned: true,"
                    + " alignedCheckpointTimeout: 200ms, incremental: true}\n",
                STORAGE));
    assertThat(valid.exitCode()).as(valid.stderr()).isZero();
  }

  @Test
  void theKubernetesExampleManifestIsAccepted() {
    Path root = Path.of(System.getProperty("weir.repo.root", ".."));
    String manifest = root.resolve("manifests/page-view-count-k8s.yaml").toString();
    ExternalCommand.Result result = api.kubectl("apply", "-n", "default", "-f", manifest);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    String stored =
        api.kubectl(
                "get",
                "-n",
                "default",
                "sj",
                "page-view-count",
                "-o",
                "jsonpath={.spec.storage.credentialsSecret}/{.spec.parallelism}/{.spec.stateBackend}")
            .orThrow();
    assertThat(stored).isEqualTo("s3-credentials/2/rocksdb");
  }

  @Test
  void theLocalModeExampleManifestIsRefusedEvenWithAnImageForItsLocalStoragePath()
      throws IOException {
    Path root = Path.of(System.getProperty("weir.repo.root", ".."));
    String local = Files.readString(root.resolve("manifests/page-view-count.yaml"));
    ExternalCommand.Result asIs = apply(local);
    assertThat(asIs.exitCode()).isNotZero();
    assertThat(asIs.stderr()).contains("spec.image: Required value");

    // the API server checks the CEL rules only once the schema is satisfied
    ExternalCommand.Result withImage =
        apply(local.replace("\nspec:\n", "\nspec:\n  image: weir/worker:test\n"));
    assertThat(withImage.exitCode()).isNotZero();
    assertThat(withImage.stderr())
        .contains("spec.storage.path is a local directory for tools/local.sh only")
        .contains("spec.storage.endpoint and spec.storage.bucket are required");
  }

  @Test
  void kubectlExplainShowsTheFieldDocumentation() {
    String explained = api.kubectl("explain", "streamingjob.spec.upgradeMode").orThrow();
    assertThat(explained).contains("How state crosses a restart caused by a spec change");
  }
}
