package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.operator.MetricsEndpoint;
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
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static MetricsEndpoint metrics;

  @BeforeAll
  static void start() {
    fixture = new OperatorFixture();
    fixture.namespace(NS);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics = MetricsEndpoint.start("127.0.0.1", 0, registry);
    operator = fixture.startOperator(NS, registry, null, fixture.coordinators);
  }

  @AfterAll
  static void stop() {
    operator.close();
    metrics.close();
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
  void anUpgradeWhoseBoundedJobFinishesBeforeItIsSeenRunningCompletesWithoutARollback() {
    fixture.create(NS, "finishes", "");
    awaitStatus("finishes", s -> running(s, 2));
    fixture.coordinators.job(NS, "finishes").finishImage("weir/worker:fast");

    patchSpec("finishes", "{\"image\": \"weir/worker:fast\"}");

    StreamingJobStatus finished =
        awaitStatus(
            "finishes",
            s -> s.phase == JobPhase.Finished && s.upgrade == null && s.stableGeneration == 2);
    assertThat(finished.rolledBackGeneration).isNull();
    assertThat(condition(finished, "Degraded").getStatus()).isEqualTo("False");
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

  @Test
  void aJobWaitingForItsFinalSavepointShowsThePhaseDeleting() {
    fixture.create(NS, "deleting", "  savepointOnDeletion: true\n");
    awaitStatus("deleting", s -> running(s, 2));
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "deleting").holdSavepoints();

    fixture.client.resources(StreamingJob.class).inNamespace(NS).withName("deleting").delete();

    StreamingJobStatus deleting = awaitStatus("deleting", s -> s.phase == JobPhase.Deleting);
    assertThat(deleting.savepointRequest.trigger()).isEqualTo(SavepointTrigger.DELETION);
    fake.completeHeldSavepoints();
    eventually().until(() -> fixture.get(NS, "deleting") == null);
  }

  @Test
  void statelessUpgradeStartsANewJobIdWithoutSavepointOrInitialSavepointPath() {
    fixture.create(
        NS,
        "stateless",
        "  upgradeMode: stateless\n  initialSavepointPath: s3://b/imported/savepoints/sp-1\n");
    StreamingJobStatus first = awaitStatus("stateless", s -> running(s, 2));
    assertThat(first.restoredFrom).isEqualTo("s3://b/imported/savepoints/sp-1");
    assertThat(jobYaml("stateless")).contains("initialSavepointPath: s3://b/imported/savepoints/");
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "stateless");

    patchSpec("stateless", "{\"parallelism\": 3}");

    StreamingJobStatus upgraded = awaitStatus("stateless", s -> running(s, 3));
    assertThat(upgraded.jobId).isNotEqualTo(first.jobId);
    assertThat(upgraded.restoredFrom).isNull();
    assertThat(upgraded.lastSavepoint).isNull();
    assertThat(upgraded.savepointHistory).isEmpty();
    assertThat(fake.savepointOperations()).isEmpty();
    assertThat(fake.calls()).noneMatch(c -> c.startsWith("trigger"));
    assertThat(jobYaml("stateless")).doesNotContain("initialSavepointPath");
    assertThat(coordinator("stateless").getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(JobObjectNames.JOB_ID, upgraded.jobId);
    eventually()
        .untilAsserted(
            () ->
                assertThat(
                        fixture.client.v1().events().inNamespace(NS).list().getItems().stream()
                            .filter(e -> e.getInvolvedObject().getName().equals("stateless"))
                            .filter(e -> e.getReason().equals("UpgradeStarted"))
                            .map(Event::getMessage))
                    .singleElement()
                    .asString()
                    .contains("restore: none (fresh state)"));
  }

  @Test
  void theUsersPodTemplateIsMergedUnderTheOperatorsPodsWhoseOwnFieldsWin() {
    fixture.create(
        NS,
        "merged",
        """
          workers:
            podTemplate:
              metadata:
                labels: {team: ads, app.kubernetes.io/name: hijacked}
                annotations: {prometheus.io/scrape: "true"}
              spec:
                nodeSelector: {disk: ssd}
                tolerations: [{key: dedicated, value: weir, effect: NoSchedule}]
                securityContext: {runAsUser: 0, runAsNonRoot: false, fsGroup: 2000}
                volumes:
                - {name: certs, secret: {secretName: ca}}
                - {name: tmp, emptyDir: {medium: Memory}}
                containers:
                - name: weir
                  image: evil/image
                  args: [sh, -c, "id"]
                  securityContext: {privileged: true}
                  env:
                  - {name: TZ, value: UTC}
                  - {name: WEIR_S3_SECRET_KEY, value: leaked}
                  volumeMounts:
                  - {name: certs, mountPath: /certs}
                  - {name: certs, mountPath: /etc/weir}
                - {name: sidecar, image: busybox}
        """);
    awaitStatus("merged", s -> running(s, 2));

    PodTemplateSpec pod = workers("merged").getSpec().getTemplate();
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("team", "ads")
        .containsEntry("app.kubernetes.io/name", "weir")
        .containsEntry(JobObjectNames.INSTANCE, "merged");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");
    PodSpec spec = pod.getSpec();
    assertThat(spec.getNodeSelector()).containsEntry("disk", "ssd");
    assertThat(spec.getTolerations()).extracting(Toleration::getKey).containsExactly("dedicated");
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(spec.getSecurityContext().getFsGroup()).isEqualTo(2000L);
    assertThat(spec.getVolumes())
        .extracting(Volume::getName)
        .contains("certs", "tmp", "job-config");
    assertThat(spec.getVolumes())
        .filteredOn(v -> v.getName().equals("tmp"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isNull());
    assertThat(spec.getContainers())
        .extracting(Container::getName)
        .containsExactly("weir", "sidecar");
    Container main = spec.getContainers().get(0);
    assertThat(main.getImage()).isEqualTo("weir/worker:1");
    assertThat(main.getArgs()).first().isEqualTo("worker");
    assertThat(main.getSecurityContext().getPrivileged()).isNull();
    assertThat(main.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(main.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(main.getEnv())
        .filteredOn(e -> e.getName().equals("TZ"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("UTC"));
    assertThat(main.getEnv())
        .filteredOn(e -> e.getName().equals("WEIR_S3_SECRET_KEY"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3-credentials");
            });
    assertThat(main.getVolumeMounts())
        .extracting(VolumeMount::getMountPath)
        .containsExactly("/etc/weir", "/tmp", "/certs");
    assertThat(main.getVolumeMounts())
        .filteredOn(m -> m.getMountPath().equals("/etc/weir"))
        .singleElement()
        .satisfies(m -> assertThat(m.getName()).isEqualTo("job-config"));
    // the coordinator has no podTemplate: the operator's defaults
    PodSpec coordinatorPod = coordinator("merged").getSpec().getTemplate().getSpec();
    assertThat(coordinatorPod.getNodeSelector()).isNullOrEmpty();
    assertThat(coordinatorPod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(coordinatorPod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
  }

  @Test
  void metricsEndpointServesJosdkAndWeirCountersThatMoveWithReconciliations() throws Exception {
    fixture.create(NS, "metered", "");
    awaitStatus("metered", s -> running(s, 2));
    String before = scrape();

    annotate("metered", StreamingJob.SAVEPOINT_ANNOTATION, "metrics");
    awaitStatus("metered", s -> "metrics".equals(s.handledSavepointAnnotation));

    eventually()
        .untilAsserted(
            () -> {
              String after = scrape();
              assertThat(
                      counter(after, "weir_operator_savepoints_triggered_total", "ANNOTATION")
                          - counter(
                              before, "weir_operator_savepoints_triggered_total", "ANNOTATION"))
                  .isEqualTo(1.0);
              assertThat(
                      counter(
                              after,
                              "weir_operator_savepoints_total",
                              "completed\",trigger=\"ANNOTATION")
                          - counter(
                              before,
                              "weir_operator_savepoints_total",
                              "completed\",trigger=\"ANNOTATION"))
                  .isEqualTo(1.0);
              assertThat(counter(after, "weir_operator_reconciliations_total", "ok"))
                  .isGreaterThan(counter(before, "weir_operator_reconciliations_total", "ok"));
              assertThat(counter(after, "weir_operator_transitions_started_total", "DEPLOY"))
                  .isPositive();
              // JOSDK's own reconciliation metrics, from the same registry
              assertThat(after).containsPattern("(?m)^operator_sdk_reconciliations_[a-z_]+");
            });
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metrics.port() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the series of {@code name} whose first label has the value {@code label}. */
  private static double counter(String scrape, String name, String label) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name)
                    + "\\{[a-z]+=\""
                    + Pattern.quote(label)
                    + "\"[^}]*} ([0-9.eE+-]+)$")
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
  }
}
