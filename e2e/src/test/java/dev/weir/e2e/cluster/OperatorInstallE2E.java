package dev.weir.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.testbed.ExternalCommand;
import dev.weir.testbed.KubeCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Installing Weir on the test bed's real cluster as a user does, and what the cluster then refuses.
 */
class OperatorInstallE2E {
  private static WeirOnCluster weir;

  @BeforeAll
  static void install() {
    weir = WeirOnCluster.get();
  }

  @Test
  void theClusterKeepsUnredirectedServiceAndPodTrafficOnThisMachine() {
    assertThat(KubeCluster.up().missingTrafficGuards()).isEmpty();
  }

  @Test
  void helmInstallRunsAnOperatorThatHoldsAndRenewsItsLeaseForAMinuteWithoutRestarting() {
    int restartsBefore = weir.operatorRestarts();
    String holder = weir.operatorPod().getMetadata().getName();
    Set<ZonedDateTime> renewals = new HashSet<>();
    // for a minute, sampled every second: the same pod holds the Lease and has not restarted
    await()
        .during(Duration.ofSeconds(62))
        .atMost(Duration.ofSeconds(80))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              Lease lease =
                  weir.client
                      .leases()
                      .inNamespace(WeirOnCluster.OPERATOR_NAMESPACE)
                      .withName("weir-operator")
                      .get();
              renewals.add(lease.getSpec().getRenewTime());
              return holder.equals(lease.getSpec().getHolderIdentity())
                  && weir.operatorRestarts() == restartsBefore;
            });
    // the elector renews every retry period (2 s): a minute shows many distinct renewals
    assertThat(renewals).as("distinct renew times in 62 s").hasSizeGreaterThan(10);
    assertThat(weir.operatorRestarts()).as("operator restarts").isEqualTo(restartsBefore);
    assertThat(weir.operatorPod().getMetadata().getName()).isEqualTo(holder);
  }

  @Test
  void theCrdIsInstalledAndKubectlExplainShowsTheFieldDocs() {
    assertThat(weir.cluster.kubectl("get", "crd", "streamingjobs.weir.dev").orThrow())
        .contains("streamingjobs.weir.dev");
    assertThat(weir.cluster.kubectl("explain", "streamingjob.spec.parallelism").orThrow())
        .contains("FIELD: parallelism")
        .contains("Number of workers");
  }

  @Test
  void badManifestsAreRefusedByKubectlApplyWithTheCrdsMessageAndNothingRunningIsTouched()
      throws Exception {
    JobOnCluster job = new JobOnCluster(weir, "e2e-refused", "page-view-count").createNamespace();
    String good = Files.readString(weir.root.resolve("manifests/page-view-count-k8s.yaml"));
    job.apply(good).orThrow();
    job.awaitStatus(Duration.ofMinutes(2), s -> s.jobId != null);
    String jobId = job.status().jobId;
    long generation = job.resource().get().getMetadata().getGeneration();

    ExternalCommand.Result zero = job.apply(good.replace("parallelism: 2", "parallelism: 0"));
    assertThat(zero.exitCode()).isNotZero();
    assertThat(zero.stderr()).contains("spec.parallelism");

    ExternalCommand.Result mode = job.apply(good.replace("EXACTLY_ONCE", "SOMETIMES"));
    assertThat(mode.exitCode()).isNotZero();
    assertThat(mode.stderr()).contains("spec.checkpointing.mode").contains("SOMETIMES");

    ExternalCommand.Result noBucket = job.apply(good.replace("    bucket: weir\n", ""));
    assertThat(noBucket.exitCode()).isNotZero();
    assertThat(noBucket.stderr()).contains("bucket");

    assertThat(job.resource().get().getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(job.status().jobId).isEqualTo(jobId);
    job.deleteNamespace();
  }
}
