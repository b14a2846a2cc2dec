package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.operator.StreamingJobOperator;
import dev.weir.operator.api.JobPhase;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeStep;
import dev.weir.operator.resources.JobObjectNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An operator stopped in the middle of an upgrade; a new one continues from status. */
class OperatorRestartIT {
  private static final String NS = "restart";
  private static OperatorFixture fixture;

  @BeforeAll
  static void start() {
    fixture = new OperatorFixture();
    fixture.namespace(NS);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static StreamingJobStatus awaitStatus(
      String name, Predicate<StreamingJobStatus> condition) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              StreamingJob job = fixture.get(NS, name);
              return job == null ? null : job.getStatus();
            },
            s -> s != null && condition.test(s));
  }

  private static Deployment coordinator(String name) {
    return fixture
        .client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(JobObjectNames.coordinator(name))
        .get();
  }

  @Test
  void operatorKilledWhileTheUpgradeSavepointRunsResumesWithOneSavepointAndOneDeployment() {
    StreamingJobOperator first = fixture.startOperator(NS);
    fixture.create(NS, "resume", "");
    String oldJobId =
        awaitStatus("resume", s -> s.phase == JobPhase.Running && s.upgrade == null).jobId;
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "resume").holdSavepoints();

    fixture
        .client
        .resources(StreamingJob.class)
        .inNamespace(NS)
        .withName("resume")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"parallelism\":3}}");
    StreamingJobStatus midway =
        awaitStatus(
            "resume", s -> s.upgrade != null && s.upgrade.step() == UpgradeStep.SAVEPOINTING);
    String requestId = midway.upgrade.savepoint().requestId();
    String newJobId = midway.upgrade.jobId();
    first.close();

    // while no operator runs, the savepoint completes and nothing changes in the cluster
    fake.completeHeldSavepoints();
    assertThat(coordinator("resume").getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(JobObjectNames.JOB_ID, oldJobId);

    try (StreamingJobOperator second = fixture.startOperator(NS)) {
      StreamingJobStatus done =
          awaitStatus(
              "resume",
              s ->
                  s.phase == JobPhase.Running
                      && s.upgrade == null
                      && Integer.valueOf(3).equals(s.parallelism));
      String savepoint = fake.operation(requestId).path();
      assertThat(done.jobId).isEqualTo(newJobId);
      assertThat(done.restoredFrom).isEqualTo(savepoint);
      assertThat(done.lastSavepoint.path()).isEqualTo(savepoint);
      // one stop-with-savepoint: the second operator asked for the same request id
      assertThat(fake.savepointOperations()).containsExactly(requestId);
      assertThat(fake.calls())
          .filteredOn(c -> c.startsWith("trigger"))
          .allMatch(c -> c.equals("trigger " + requestId + " stop=true"));
      // one deployment of the new job id: created once, never re-created or re-written
      Deployment deployed = coordinator("resume");
      assertThat(deployed.getSpec().getTemplate().getMetadata().getLabels())
          .containsEntry(JobObjectNames.JOB_ID, newJobId);
      assertThat(deployed.getMetadata().getGeneration()).isEqualTo(1L);
    }
  }
}
