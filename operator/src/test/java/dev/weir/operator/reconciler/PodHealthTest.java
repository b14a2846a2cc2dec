package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodHealthTest {

  private static PodBuilder pod(String name, String component, String jobId, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(Map.of("weir.dev/component", component, "weir.dev/job-id", jobId))
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .addNewContainerStatus()
        .withName("weir")
        .withReady(ready)
        .withRestartCount(0)
        .withNewState()
        .withNewRunning()
        .endRunning()
        .endState()
        .endContainerStatus()
        .endStatus();
  }

  @Test
  void podsThatAreAllReadyAreHealthy() {
    assertThat(
            PodHealth.of(
                List.of(
                    pod("j-coordinator-x", "coordinator", "j-1", true).build(),
                    pod("j-workers-0", "worker", "j-1", true).build()),
                "j-1"))
        .isNull();
  }

  @Test
  void aKilledWorkerContainerIsReportedWithItsExitCodeAndRestarts() {
    Pod killed =
        pod("j-workers-1", "worker", "j-1", false)
            .editStatus()
            .editFirstContainerStatus()
            .withRestartCount(1)
            .withNewLastState()
            .withNewTerminated()
            .withReason("Error")
            .withExitCode(137)
            .withMessage("Unknown option: '--no-such-option'\n")
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build();
    PodHealth health =
        PodHealth.of(List.of(pod("j-workers-0", "worker", "j-1", true).build(), killed), "j-1");
    assertThat(health.reason()).isEqualTo(PodHealth.CONTAINER_RESTARTED);
    assertThat(health.message())
        .contains("worker pod j-workers-1", "Error", "exit code 137", "restarts: 1")
        .endsWith(": Unknown option: '--no-such-option'");
    assertThat(health.crashLooping()).as("one restart is not a crash loop").isFalse();
  }

  @Test
  void aPodBeingDeletedIsReportedEvenWhileItsContainerStillRuns() {
    Pod deleting =
        pod("j-workers-0", "worker", "j-1", true)
            .editMetadata()
            .withDeletionTimestamp("2026-12-03T09:00:00Z")
            .endMetadata()
            .build();
    assertThat(PodHealth.of(List.of(deleting), "j-1").reason())
        .isEqualTo(PodHealth.POD_TERMINATING);
  }

  @Test
  void theCoordinatorIsReportedBeforeTheWorkers() {
    PodHealth health =
        PodHealth.of(
            List.of(
                pod("j-workers-0", "worker", "j-1", false).build(),
                pod("j-coordinator-x", "coordinator", "j-1", false).build()),
            "j-1");
    assertThat(health.message()).startsWith("coordinator pod j-coordinator-x");
  }

  @Test
  void podsOfAnotherJobIdDoNotCount() {
    assertThat(PodHealth.of(List.of(pod("j-workers-0", "worker", "j-0", false).build()), "j-1"))
        .isNull();
  }
}
