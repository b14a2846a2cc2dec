package dev.weir.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobSpec;
import dev.weir.operator.api.UpgradeMode;
import dev.weir.operator.resources.DeploymentPlan;
import dev.weir.operator.resources.JobConfigMap;
import dev.weir.testbed.Testbed;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract between operator and runtime: the {@code job.yaml} the operator writes into a job's
 * ConfigMap, for every Kubernetes example manifest (and a manifest that sets every field), in each
 * upgrade mode, with and without a savepoint to restore, is accepted by the runtime's own manifest
 * validation — the code the coordinator and workers run on it in their pods.
 */
class JobManifestContractIT {
  private static final Map<String, String> POD_ENV =
      Map.of("WEIR_S3_ACCESS_KEY", "access-key-of-the-pod", "WEIR_S3_SECRET_KEY", "secret-of-pod");

  static Stream<Arguments> jobYamls() throws Exception {
    List<Arguments> cases = new ArrayList<>();
    List<Path> manifests = new ArrayList<>();
    try (Stream<Path> files = Files.list(Testbed.repoRoot().resolve("manifests"))) {
      files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(manifests::add);
    }
    manifests.add(Testbed.repoRoot().resolve("e2e/src/test/resources/every-field.yaml"));
    for (Path file : manifests) {
      String text = Files.readString(file);
      if (!text.contains("kind: StreamingJob") || !text.contains("image:")) {
        continue; // not a StreamingJob, or one for local mode only (the CRD refuses it)
      }
      StreamingJob job = Serialization.unmarshal(text, StreamingJob.class);
      job.getMetadata().setNamespace("jobs");
      job.getMetadata().setUid("0f1e2d3c-0000-4000-8000-000000000000");
      for (UpgradeMode mode : UpgradeMode.values()) {
        StreamingJobSpec spec = withUpgradeMode(job.getSpec(), mode);
        for (String restore : new String[] {null, "s3://weir/savepoints/sp-0001"}) {
          String yaml = JobConfigMap.jobYaml(DeploymentPlan.of(job, spec, "job-1", restore));
          cases.add(
              Arguments.of(file.getFileName() + " " + mode + " restore=" + restore, spec, yaml));
        }
      }
    }
    assertThat(cases).as("Kubernetes example manifests").isNotEmpty();
    return cases.stream();
  }

  private static StreamingJobSpec withUpgradeMode(StreamingJobSpec spec, UpgradeMode mode) {
    var tree = Serialization.jsonMapper().valueToTree(spec);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree)
        .set("upgradeMode", Serialization.jsonMapper().valueToTree(mode));
    return Serialization.jsonMapper().convertValue(tree, StreamingJobSpec.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobYamls")
  void theRuntimeAcceptsTheJobYamlTheOperatorWrites(
      String description, StreamingJobSpec spec, String yaml) throws Exception {
    JobSpec accepted =
        new ManifestValidator(POD_ENV::get).validate(yaml, "job.yaml: " + description);
    assertThat(accepted.parallelism()).isEqualTo(spec.parallelismOrDefault());
    assertThat(accepted.entryClass()).isEqualTo(spec.job().entryClass());
    assertThat(yaml).doesNotContain("credentialsSecret").doesNotContain("secret-of-pod");
  }
}
