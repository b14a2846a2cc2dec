package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.operator.StreamingJobOperator;
import dev.weir.operator.api.JobPhase;
import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeStep;
import dev.weir.operator.resources.JobObjectNames;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against a real kube-apiserver, with fake coordinators (no kubelet: pods never run,
 * the fake plays the coordinator of what the operator deployed).
 */
class StreamingJobReconcilerIT {
  private static final String NS = "jobs";
  private static OperatorFixture fixture;
  private static StreamingJobOperator operator;

  @BeforeAll
  static void start() {
    fixture = new OperatorFixture();
    fixture.namespace(NS);
    operator = fixture.startOperator(NS);
  }

  @AfterAll
  static void stop() {
    operator.close();
    fixture.close();
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200));
  }

  private static StreamingJobStatus awaitStatus(
      String name, Predicate<StreamingJobStatus> condition) {
    return eventually()
        .until(
            () -> {
              StreamingJob job = fixture.get(NS, name);
              return job == null ? null : job.getStatus();
            },
            s -> s != null && condition.test(s));
  }

  private static boolean running(StreamingJobStatus s, int parallelism) {
    return s.phase == JobPhase.Running
        && s.upgrade == null
        && s.parallelism != null
        && s.parallelism == parallelism
        && "True".equals(condition(s, "Ready").getStatus());
  }

  private static Condition condition(StreamingJobStatus s, String type) {
    return s.conditions.stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElse(new Condition());
  }

  private static void patchSpec(String name, String json) {
    fixture
        .client
        .resources(StreamingJob.class)
        .inNamespace(NS)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + json + "}");
  }

  private static void annotate(String name, String key, String value) {
    fixture
        .client
        .resources(StreamingJob.class)
        .inNamespace(NS)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
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

  private static StatefulSet workers(String name) {
    return fixture
        .client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName(JobObjectNames.workers(name))
        .get();
  }

  private static String jobYaml(String name) {
    ConfigMap cm =
        fixture.client.configMaps().inNamespace(NS).withName(JobObjectNames.configMap(name)).get();
    return cm.getData().get("job.yaml");
  }

  private static List<String> eventReasons(String name) {
    return fixture.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(name))
        .sorted(
            (a, b) ->
                Long.compare(
                    Long.parseLong(a.getMetadata().getResourceVersion()),
                    Long.parseLong(b.getMetadata().getResourceVersion())))
        .map(Event::getReason)
        .toList();
  }

  @Test
  void createdJobGetsItsConfigCoordinatorAndWorkersOwnedByItAndBecomesReady() {
    fixture.create(NS, "create", "");
    StreamingJobStatus status = awaitStatus("create", s -> running(s, 2));

    StreamingJob job = fixture.get(NS, "create");
    Deployment coordinator = coordinator("create");
    StatefulSet workers = workers("create");
    assertThat(coordinator.getSpec().getReplicas()).isEqualTo(1);
    assertThat(coordinator.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(workers.getSpec().getReplicas()).isEqualTo(2);
    assertThat(fixture.client.services().inNamespace(NS).withName("create-coordinator").get())
        .isNotNull();
    assertThat(
            fixture
                .client
                .services()
                .inNamespace(NS)
                .withName("create-workers")
                .get()
                .getSpec()
                .getClusterIP())
        .isEqualTo("None");
    for (var owned :
        List.of(
            coordinator,
            workers,
            fixture.client.configMaps().inNamespace(NS).withName("create-config").get())) {
      assertThat(owned.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid());
                assertThat(o.getController()).isTrue();
              });
    }
    assertThat(coordinator.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsExactly(
            "coordinator",
            "/etc/weir/job.yaml",
            "--job-id",
            status.jobId,
            "--port",
            "6123",
            "--http-port",
            "8081",
            "--linger");
    List<EnvVar> env = workers.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(env)
        .filteredOn(e -> e.getName().equals("WEIR_S3_SECRET_KEY"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("s3-credentials"));
    assertThat(env)
        .filteredOn(e -> e.getName().equals("WEIR_WORKER_INDEX"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.labels['apps.kubernetes.io/pod-index']"));
    assertThat(jobYaml("create"))
        .contains("entryClass: dev.weir.jobs.PageViewCount")
        .doesNotContain("s3-credentials");
    assertThat(status.observedGeneration).isEqualTo(job.getMetadata().getGeneration());
    assertThat(status.lastCheckpoint).isNotNull();
    assertThat(status.lastCheckpoint.id()).isPositive();
    assertThat(condition(status, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Degraded").getStatus()).isEqualTo("False");
    eventually()
        .untilAsserted(
            () ->
                assertThat(eventReasons("create"))
                    .contains("DeployStarted", "Deployed", "JobRunning"));
  }

  @Test
  void statusAndConditionsFollowTheCoordinatorsJobState() {
    fixture.create(NS, "follow", "");
    awaitStatus("follow", s -> running(s, 2));
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "follow");

    fake.reportStatus("RESTARTING");
    StreamingJobStatus restarting = awaitStatus("follow", s -> "RESTARTING".equals(s.jobStatus));
    assertThat(condition(restarting, "Ready").getReason()).isEqualTo("JobRestarting");

    fake.reportStatus("FAILED");
    StreamingJobStatus failed = awaitStatus("follow", s -> s.phase == JobPhase.Failed);
    assertThat(condition(failed, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(failed, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(failed, "Degraded").getReason()).isEqualTo("JobFailed");

    fake.reportStatus("RUNNING");
    StreamingJobStatus recovered = awaitStatus("follow", s -> running(s, 2));
    assertThat(condition(recovered, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void parallelismEditTakesAStopWithSavepointBeforeTouchingPodsThenRedeploysRestoringIt() {
    fixture.create(NS, "rescale", "");
    String firstJobId = awaitStatus("rescale", s -> running(s, 2)).jobId;
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "rescale").holdSavepoints();

    patchSpec("rescale", "{\"parallelism\": 3}");
    StreamingJobStatus savepointing =
        awaitStatus(
            "rescale", s -> s.upgrade != null && s.upgrade.step() == UpgradeStep.SAVEPOINTING);
    assertThat(savepointing.phase).isEqualTo(JobPhase.Upgrading);
    // while the savepoint runs, nothing of the running job is touched
    assertThat(coordinator("rescale").getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(JobObjectNames.JOB_ID, firstJobId);
    assertThat(workers("rescale").getSpec().getReplicas()).isEqualTo(2);

    fake.completeHeldSavepoints();
    StreamingJobStatus upgraded = awaitStatus("rescale", s -> running(s, 3));
    String savepoint = upgraded.lastSavepoint.path();
    assertThat(savepoint).startsWith("s3://b/" + firstJobId + "/savepoints/");
    assertThat(upgraded.lastSavepoint.trigger()).isEqualTo(SavepointTrigger.UPGRADE);
    assertThat(upgraded.jobId).isNotEqualTo(firstJobId);
    assertThat(upgraded.restoredFrom).isEqualTo(savepoint);
    assertThat(workers("rescale").getSpec().getReplicas()).isEqualTo(3);
    assertThat(jobYaml("rescale"))
        .contains("initialSavepointPath: " + savepoint)
        .contains("parallelism: 3");
    assertThat(fake.savepointOperations()).hasSize(1);
    assertThat(fake.calls())
        .filteredOn(c -> c.startsWith("trigger"))
        .allMatch(c -> c.endsWith("stop=true"));
    eventually()
        .untilAsserted(
            () ->
                assertThat(eventReasons("rescale"))
                    .containsSubsequence(
                        "UpgradeStarted", "SavepointCompleted", "Deployed", "JobRunning"));
  }

  @Test
  void kubectlScaleRescalesTheJob() {
    fixture.create(NS, "scaled", "");
    awaitStatus("scaled", s -> running(s, 2));

    fixture.api.kubectl("scale", "-n", NS, "sj/scaled", "--replicas=4").orThrow();

    awaitStatus("scaled", s -> running(s, 4));
    assertThat(fixture.get(NS, "scaled").getSpec().parallelism()).isEqualTo(4);
    assertThat(workers("scaled").getSpec().getReplicas()).isEqualTo(4);
    String replicas =
        fixture
            .api
            .kubectl("get", "-n", NS, "sj/scaled", "-o", "jsonpath={.status.parallelism}")
            .orThrow();
    assertThat(replicas).isEqualTo("4");
  }

  @Test
  void eachNewAnnotationValueOrNonceTakesExactlyOneSavepoint() {
    fixture.create(NS, "manual", "");
    awaitStatus("manual", s -> running(s, 2));
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "manual");

    annotate("manual", StreamingJob.SAVEPOINT_ANNOTATION, "first");
    StreamingJobStatus afterFirst =
        awaitStatus("manual", s -> "first".equals(s.handledSavepointAnnotation));
    assertThat(afterFirst.lastSavepoint.trigger()).isEqualTo(SavepointTrigger.ANNOTATION);
    assertThat(afterFirst.lastSavepoint.triggerValue()).isEqualTo("first");
    assertThat(condition(afterFirst, "Savepoint").getStatus()).isEqualTo("True");

    // other changes and time do not repeat it
    annotate("manual", "unrelated", "x");
    patchSpec("manual", "{\"upgradeMode\": \"last-state\"}");
    awaitStatus("manual", s -> s.observedGeneration == 2);
    assertThat(fake.savepointOperations()).hasSize(1);

    annotate("manual", StreamingJob.SAVEPOINT_ANNOTATION, "second");
    awaitStatus("manual", s -> "second".equals(s.handledSavepointAnnotation));
    patchSpec("manual", "{\"savepointTriggerNonce\": 7}");
    StreamingJobStatus afterNonce =
        awaitStatus("manual", s -> Long.valueOf(7).equals(s.handledSavepointNonce));

    assertThat(fake.savepointOperations()).hasSize(3);
    assertThat(fake.calls())
        .filteredOn(c -> c.startsWith("trigger"))
        .hasSize(3)
        .allMatch(c -> c.endsWith("stop=false"));
    assertThat(afterNonce.savepointHistory)
        .extracting(SavepointInfo::trigger)
        .containsExactly(
            SavepointTrigger.NONCE, SavepointTrigger.ANNOTATION, SavepointTrigger.ANNOTATION);
    assertThat(afterNonce.phase).isEqualTo(JobPhase.Running);
    eventually()
        .untilAsserted(
            () ->
                assertThat(eventReasons("manual"))
                    .filteredOn("SavepointCompleted"::equals)
                    .hasSize(3));
  }

  @Test
  void failedUpgradeRollsBackToTheLastStableSpecAndItsSavepoint() {
    fixture.create(NS, "rollback", "");
    String stableJobId = awaitStatus("rollback", s -> running(s, 2)).jobId;
    fixture.coordinators.job(NS, "rollback").failImage("weir/worker:broken");

    patchSpec("rollback", "{\"image\": \"weir/worker:broken\"}");

    StreamingJobStatus rolledBack =
        awaitStatus("rollback", s -> running(s, 2) && s.rolledBackGeneration != null);
    assertThat(
            coordinator("rollback")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("weir/worker:1");
    String savepoint = rolledBack.savepointHistory.get(0).path();
    assertThat(savepoint).startsWith("s3://b/" + stableJobId + "/savepoints/");
    assertThat(rolledBack.restoredFrom).isEqualTo(savepoint);
    Condition degraded = condition(rolledBack, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("UpgradeRolledBack");
    assertThat(degraded.getMessage())
        .contains("upgrade to generation 2 failed")
        .contains("bad image")
        .contains("rolled back to generation 1");
    eventually()
        .untilAsserted(
            () ->
                assertThat(eventReasons("rollback"))
                    .containsSubsequence(
                        "UpgradeStarted",
                        "Deployed",
                        "UpgradeRolledBack",
                        "Deployed",
                        "RolledBack"));

    // the failed generation is not retried; a new spec is
    patchSpec("rollback", "{\"image\": \"weir/worker:2\"}");
    StreamingJobStatus fixed =
        awaitStatus(
            "rollback", s -> running(s, 2) && s.observedGeneration == 3 && s.stableGeneration == 3);
    assertThat(condition(fixed, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void suspendStopsWithASavepointAndRemovesPodsAndResumeRestoresIt() {
    fixture.create(NS, "suspend", "");
    String firstJobId = awaitStatus("suspend", s -> running(s, 2)).jobId;

    patchSpec("suspend", "{\"state\": \"suspended\"}");
    StreamingJobStatus suspended = awaitStatus("suspend", s -> s.phase == JobPhase.Suspended);
    assertThat(coordinator("suspend")).isNull();
    assertThat(workers("suspend")).isNull();
    assertThat(suspended.resumeSavepoint).startsWith("s3://b/" + firstJobId + "/savepoints/");
    assertThat(suspended.lastSavepoint.trigger()).isEqualTo(SavepointTrigger.SUSPEND);
    assertThat(condition(suspended, "Ready").getReason()).isEqualTo("Suspended");

    patchSpec("suspend", "{\"state\": \"running\"}");
    StreamingJobStatus resumed = awaitStatus("suspend", s -> running(s, 2));
    assertThat(resumed.restoredFrom).isEqualTo(suspended.resumeSavepoint);
    assertThat(jobYaml("suspend")).contains("initialSavepointPath: " + suspended.resumeSavepoint);
  }

  @Test
  void savepointFailureOfAnUnhealthyJobFallsBackToTheLatestCheckpoint() {
    fixture.create(NS, "fallback", "");
    String jobId = awaitStatus("fallback", s -> running(s, 2)).jobId;
    fixture.coordinators.job(NS, "fallback").failSavepoints("task 1 declined the savepoint");

    patchSpec(
        "fallback",
        "{\"job\": {\"entryClass\": \"dev.weir.jobs.PageViewCount\", \"args\": [\"--events\", \"2000\"]}}");

    StreamingJobStatus upgraded =
        awaitStatus("fallback", s -> running(s, 2) && s.stableGeneration == 2);
    assertThat(upgraded.jobId).as("last-state keeps the job id").isEqualTo(jobId);
    assertThat(upgraded.savepointHistory.get(0).failure())
        .isEqualTo("task 1 declined the savepoint");
    assertThat(jobYaml("fallback")).contains("2000").doesNotContain("initialSavepointPath");
    eventually()
        .untilAsserted(() -> assertThat(eventReasons("fallback")).contains("SavepointFailed"));
  }

  @Test
  void deletionTakesAFinalSavepointAndRemovesEverything() {
    fixture.create(NS, "deleted", "  savepointOnDeletion: true\n");
    awaitStatus("deleted", s -> running(s, 2));
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "deleted");
    assertThat(fixture.get(NS, "deleted").getMetadata().getFinalizers()).isNotEmpty();

    fixture.client.resources(StreamingJob.class).inNamespace(NS).withName("deleted").delete();

    eventually().until(() -> fixture.get(NS, "deleted") == null);
    assertThat(fake.calls())
        .filteredOn(c -> c.startsWith("trigger"))
        .singleElement()
        .satisfies(c -> assertThat(c).contains("deletion").endsWith("stop=true"));
    assertThat(coordinator("deleted")).isNull();
    assertThat(workers("deleted")).isNull();
    assertThat(fixture.client.services().inNamespace(NS).withName("deleted-coordinator").get())
        .isNull();
    assertThat(fixture.client.configMaps().inNamespace(NS).withName("deleted-config").get())
        .isNull();
    eventually()
        .untilAsserted(
            () -> assertThat(eventReasons("deleted")).contains("SavepointCompleted", "Deleted"));
  }
}
