package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.operator.StreamingJobOperator;
import dev.weir.operator.api.JobPhase;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeStep;
import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.CoordinatorClients;
import dev.weir.operator.resources.JobObjectNames;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Operator instances coming and going: an operator stopped at each step of an upgrade, and a new
 * one continuing from status; two replicas with leader election.
 */
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
    return awaitStatus(NS, name, condition);
  }

  private static StreamingJobStatus awaitStatus(
      String namespace, String name, Predicate<StreamingJobStatus> condition) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              StreamingJob job = fixture.get(namespace, name);
              return job == null ? null : job.getStatus();
            },
            s -> s != null && condition.test(s));
  }

  private static Deployment coordinator(String name) {
    return coordinator(NS, name);
  }

  private static Deployment coordinator(String namespace, String name) {
    return fixture
        .client
        .apps()
        .deployments()
        .inNamespace(namespace)
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

  private static void patchSpec(String namespace, String name, String json) {
    fixture
        .client
        .resources(StreamingJob.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + json + "}");
  }

  private static boolean runningAt(StreamingJobStatus s, int parallelism) {
    return s.phase == JobPhase.Running
        && s.upgrade == null
        && Integer.valueOf(parallelism).equals(s.parallelism);
  }

  /**
   * A pod of the job that does not go away (there is no kubelet to end it): holds the operator in
   * STOPPING, as a slowly terminating pod would, until {@link #releasePod} deletes it.
   */
  private static void lingeringPod(String name) {
    fixture
        .client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name + "-lingering")
                .addToLabels(JobObjectNames.INSTANCE, name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("weir")
                .withImage("weir/worker:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  private static void releasePod(String name) {
    fixture.client.pods().inNamespace(NS).withName(name + "-lingering").delete();
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

  @Test
  void operatorStoppedAfterTheSavepointCompletedButBeforeRedeployingKeepsThePathAndDeploysOnce() {
    StreamingJobOperator first = fixture.startOperator(NS);
    fixture.create(NS, "stopping", "");
    String oldJobId = awaitStatus("stopping", s -> runningAt(s, 2)).jobId;
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "stopping");
    lingeringPod("stopping");

    patchSpec(NS, "stopping", "{\"parallelism\": 3}");
    StreamingJobStatus midway =
        awaitStatus(
            "stopping",
            s ->
                s.upgrade != null
                    && s.upgrade.step() == UpgradeStep.STOPPING
                    && s.upgrade.savepointPath() != null);
    String savepoint = midway.upgrade.savepointPath();
    assertThat(savepoint).startsWith("s3://b/" + oldJobId + "/savepoints/");
    await().atMost(Duration.ofSeconds(10)).until(() -> coordinator("stopping") == null);
    first.close();

    // no operator runs: the pods finish terminating; status still holds the savepoint path
    releasePod("stopping");
    StreamingJobStatus recorded = fixture.get(NS, "stopping").getStatus();
    assertThat(recorded.upgrade.step()).isEqualTo(UpgradeStep.STOPPING);
    assertThat(recorded.upgrade.savepointPath()).isEqualTo(savepoint);
    assertThat(recorded.lastSavepoint.path()).isEqualTo(savepoint);

    try (StreamingJobOperator second = fixture.startOperator(NS)) {
      StreamingJobStatus done = awaitStatus("stopping", s -> runningAt(s, 3));
      assertThat(done.jobId).isEqualTo(midway.upgrade.jobId()).isNotEqualTo(oldJobId);
      assertThat(done.restoredFrom).isEqualTo(savepoint);
      // one stop-with-savepoint, asked for once, by the first operator
      assertThat(fake.savepointOperations()).hasSize(1);
      assertThat(fake.calls()).filteredOn(c -> c.startsWith("trigger")).hasSize(1);
      Deployment deployed = coordinator("stopping");
      assertThat(deployed.getSpec().getTemplate().getMetadata().getLabels())
          .containsEntry(JobObjectNames.JOB_ID, done.jobId);
      assertThat(deployed.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(workers("stopping").getMetadata().getGeneration()).isEqualTo(1L);
    }
  }

  @Test
  void operatorStoppedWhileDeployingTheNewSpecFinishesThatDeploymentWithoutRecreatingIt() {
    StreamingJobOperator first = fixture.startOperator(NS);
    fixture.create(NS, "crash", "");
    String oldJobId = awaitStatus("crash", s -> runningAt(s, 2)).jobId;
    TestingCoordinators.Job fake = fixture.coordinators.job(NS, "crash");
    lingeringPod("crash");
    patchSpec(NS, "crash", "{\"parallelism\": 3}");
    String savepoint =
        awaitStatus(
                "crash",
                s ->
                    s.upgrade != null
                        && s.upgrade.step() == UpgradeStep.STOPPING
                        && s.upgrade.savepointPath() != null)
            .upgrade
            .savepointPath();

    // the API server refuses the worker StatefulSet: the operator stops half-way through DEPLOYING
    // (ConfigMap, Services and coordinator applied), as if it had been killed there
    refuseWorkersOf("crash");
    releasePod("crash");
    StreamingJobStatus midway =
        awaitStatus(
            "crash",
            s ->
                s.upgrade != null
                    && s.upgrade.step() == UpgradeStep.DEPLOYING
                    && s.error != null
                    && s.error.contains("test bed refuses the workers of crash"));
    first.close();
    Deployment halfDeployed = coordinator("crash");
    assertThat(halfDeployed.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(JobObjectNames.JOB_ID, midway.upgrade.jobId());
    assertThat(workers("crash")).isNull();
    assertThat(midway.upgrade.savepointPath()).isEqualTo(savepoint);
    allowWorkers();

    try (StreamingJobOperator second = fixture.startOperator(NS)) {
      StreamingJobStatus done = awaitStatus("crash", s -> runningAt(s, 3));
      assertThat(done.jobId).isEqualTo(midway.upgrade.jobId()).isNotEqualTo(oldJobId);
      assertThat(done.restoredFrom).isEqualTo(savepoint);
      assertThat(done.error).isNull();
      assertThat(fake.savepointOperations()).hasSize(1);
      assertThat(fake.calls()).filteredOn(c -> c.startsWith("trigger")).hasSize(1);
      // the coordinator the first operator created is the one that runs: not re-created or changed
      Deployment deployed = coordinator("crash");
      assertThat(deployed.getMetadata().getUid()).isEqualTo(halfDeployed.getMetadata().getUid());
      assertThat(deployed.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(workers("crash").getSpec().getReplicas()).isEqualTo(3);
    }
  }

  private static final String POLICY = "weir-test-refuse-workers";

  /** A ValidatingAdmissionPolicy refusing the job's worker StatefulSet, once it is in force. */
  private static void refuseWorkersOf(String name) {
    String yaml =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: %1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [statefulsets]}
          validations:
          - expression: "object.metadata.name != '%2$s'"
            message: "test bed refuses the workers of %3$s"
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %1$s}
        spec: {policyName: %1$s, validationActions: [Deny]}
        """
            .formatted(POLICY, JobObjectNames.workers(name), name);
    fixture
        .client
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .serverSideApply();
    StatefulSet probe =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName(JobObjectNames.workers(name))
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .addToMatchLabels("probe", "x")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("probe", "x")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("c")
            .withImage("i")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              try {
                fixture.client.resource(probe).dryRun().create();
                return false;
              } catch (KubernetesClientException e) {
                return e.getMessage().contains("test bed refuses");
              }
            });
  }

  private static void allowWorkers() {
    fixture.client.resources(ValidatingAdmissionPolicyBinding.class).withName(POLICY).delete();
    fixture.client.resources(ValidatingAdmissionPolicy.class).withName(POLICY).delete();
  }

  @Test
  void onlyTheLeaseHolderReconcilesAndTheOtherReplicaTakesOverWhenItStops() {
    String ns = "replicas";
    fixture.namespace(ns);
    CountingClients a = new CountingClients();
    CountingClients b = new CountingClients();
    StreamingJobOperator leader =
        fixture.startOperator(ns, new SimpleMeterRegistry(), lease(ns, "replica-a"), a);
    StreamingJobOperator follower = null;
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> "replica-a".equals(leaseHolder(ns)));
      follower = fixture.startOperator(ns, new SimpleMeterRegistry(), lease(ns, "replica-b"), b);
      fixture.create(ns, "replicated", "");
      String jobId = awaitStatus(ns, "replicated", s -> runningAt(s, 2)).jobId;
      annotate(ns, "replicated", "one");
      awaitStatus(ns, "replicated", s -> "one".equals(s.handledSavepointAnnotation));
      TestingCoordinators.Job fake = fixture.coordinators.job(ns, "replicated");

      assertThat(a.rounds.get()).isPositive();
      assertThat(b.rounds.get()).as("the follower never reconciled").isZero();
      assertThat(leaseHolder(ns)).isEqualTo("replica-a");
      assertThat(fake.savepointOperations()).hasSize(1);
      String coordinatorUid = coordinator(ns, "replicated").getMetadata().getUid();

      long stoppedAt = System.nanoTime();
      leader.close();
      annotate(ns, "replicated", "two");
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> "replica-b".equals(leaseHolder(ns)));
      Duration takeover = Duration.ofNanos(System.nanoTime() - stoppedAt);
      StreamingJobStatus after =
          awaitStatus(ns, "replicated", s -> "two".equals(s.handledSavepointAnnotation));

      // the lease ran out (4s) and the follower took it within a retry period or two
      assertThat(takeover).isLessThan(LEASE_DURATION.plusSeconds(3));
      assertThat(b.rounds.get()).isPositive();
      assertThat(after.jobId).isEqualTo(jobId);
      assertThat(after.jobCounter).isEqualTo(1);
      assertThat(fake.savepointOperations()).hasSize(2);
      assertThat(fake.calls()).filteredOn(c -> c.startsWith("trigger")).hasSize(2);
      Deployment deployed = coordinator(ns, "replicated");
      assertThat(deployed.getMetadata().getUid()).isEqualTo(coordinatorUid);
      assertThat(deployed.getMetadata().getGeneration()).isEqualTo(1L);
    } finally {
      leader.close();
      if (follower != null) {
        follower.close();
      }
    }
  }

  private static final Duration LEASE_DURATION = Duration.ofSeconds(4);

  private static StreamingJobOperator.Lease lease(String namespace, String identity) {
    return new StreamingJobOperator.Lease(
        "weir-operator",
        namespace,
        LEASE_DURATION,
        Duration.ofSeconds(3),
        Duration.ofMillis(500),
        identity,
        false);
  }

  private static String leaseHolder(String namespace) {
    Lease lease = fixture.client.leases().inNamespace(namespace).withName("weir-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static void annotate(String namespace, String name, String value) {
    fixture
        .client
        .resources(StreamingJob.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\""
                + StreamingJob.SAVEPOINT_ANNOTATION
                + "\":\""
                + value
                + "\"}}}");
  }

  /** The shared fake coordinators, counting the reconciliation rounds of one operator replica. */
  private static final class CountingClients implements CoordinatorClients {
    final AtomicInteger rounds = new AtomicInteger();

    @Override
    public CoordinatorClient forJob(String namespace, String name) {
      rounds.incrementAndGet();
      return fixture.coordinators.forJob(namespace, name);
    }
  }
}
