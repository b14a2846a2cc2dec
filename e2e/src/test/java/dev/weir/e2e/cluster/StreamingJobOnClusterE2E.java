package dev.weir.e2e.cluster;

import static dev.weir.e2e.cluster.JobOnCluster.assertExactly;
import static dev.weir.e2e.cluster.JobOnCluster.assertNoGapNoRepeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.storage.CheckpointStorage;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user stories of one StreamingJob on the test bed's real cluster, in the order a user lives
 * them: apply, savepoint by annotation, failures of pods and JVMs, rescale, upgrades and a
 * rollback, suspend and resume, and the end of the job, whose committed output in MinIO must then
 * be exactly 1..N/K per key. The job is the shipped example with a lower rate (so that it runs
 * through all of this) and its own output prefix.
 *
 * <p>Steps share the job and run in order; wall times are logged as {@code TIMING} lines
 * (docs/performance.md records them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingJobOnClusterE2E {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingJobOnClusterE2E.class);
  private static final long EVENTS = 400_000;
  private static final int KEYS = 100;
  private static final String BUCKET = "weir";

  /** This run's storage prefix: MinIO outlives a run, and a run reads only its own output. */
  private static final String PREFIX = "e2e-lifecycle-" + System.currentTimeMillis();

  private static final String OUTPUT = PREFIX + "/output";
  private static final Duration READY = Duration.ofMinutes(2);

  private static WeirOnCluster weir;
  private static JobOnCluster job;
  private static String manifest;

  /** The node has two cores: a scenario's pods must not hold CPU requests the next one needs. */
  @AfterAll
  static void deleteTheNamespace() {
    if (job != null) {
      job.deleteNamespace();
    }
  }

  @BeforeAll
  static void applyTheExample() throws Exception {
    weir = WeirOnCluster.get();
    job = new JobOnCluster(weir, "e2e-lifecycle", "page-view-count").createNamespace();
    manifest = JobOnCluster.example(weir, "400", BUCKET, PREFIX, OUTPUT);
  }

  private static String replace(String text, String what, String with) {
    assertThat(text).as("the example manifest").contains(what);
    return text.replace(what, with);
  }

  private static void timing(String what, long millis) {
    LOG.info("TIMING {}: {} ms", what, millis);
  }

  private static Map<Integer, List<Long>> output() throws Exception {
    return job.committedCounts(BUCKET, OUTPUT);
  }

  private static long assertOutputExactSoFar() throws Exception {
    return assertNoGapNoRepeat(output());
  }

  @Test
  @Order(1)
  void appliedItRunsAndReportsCheckpointsThatAreInMinio() throws Exception {
    long t0 = System.nanoTime();
    job.apply(manifest).orThrow();
    job.awaitReady(2, READY);
    timing("apply -> Ready", (System.nanoTime() - t0) / 1_000_000);
    assertThat(job.pods("worker")).hasSize(2);
    assertThat(job.pods("coordinator")).hasSize(1);

    job.awaitStatus(Duration.ofSeconds(60), s -> s.lastCheckpoint != null);
    StreamingJobStatus s = job.status();
    try (CheckpointStorage storage = job.storage(BUCKET, PREFIX)) {
      assertThat(storage.list(s.jobId + "/chk-"))
          .as("checkpoint files of job %s in MinIO", s.jobId)
          .isNotEmpty();
    }
    String columns = job.kubectl("get", "sj", job.name, "--no-headers").orThrow();
    assertThat(columns.trim().split("\\s+"))
        .as("kubectl get sj columns: %s", columns)
        .hasSizeGreaterThanOrEqualTo(5)
        .contains("Running", "2");
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> assertOutputExactSoFar() > 0);
  }

  @Test
  @Order(2)
  void aSavepointAnnotationTakesOneSavepointPerNewValue() throws Exception {
    job.kubectl("annotate", "sj", job.name, "weir.dev/savepoint=first", "--overwrite").orThrow();
    job.awaitStatus(
        READY, s -> s.lastSavepoint != null && "first".equals(s.lastSavepoint.triggerValue()));
    SavepointInfo first = job.status().lastSavepoint;
    assertSavepointInMinio(first.path());

    // the same value again (the annotation re-applied) takes none
    job.kubectl("annotate", "sj", job.name, "weir.dev/savepoint=first", "--overwrite").orThrow();
    job.kubectl("label", "sj", job.name, "touched=yes", "--overwrite").orThrow(); // an event
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> job.status().savepointHistory.size() == 1);

    job.kubectl("annotate", "sj", job.name, "weir.dev/savepoint=second", "--overwrite").orThrow();
    job.awaitStatus(
        READY, s -> s.lastSavepoint != null && "second".equals(s.lastSavepoint.triggerValue()));
    assertThat(job.status().lastSavepoint.path()).isNotEqualTo(first.path());
    assertSavepointInMinio(job.status().lastSavepoint.path());
  }

  private static void assertSavepointInMinio(String path) throws Exception {
    assertThat(path).startsWith("s3://" + BUCKET + "/" + PREFIX + "/");
    String relative = path.substring(("s3://" + BUCKET + "/" + PREFIX + "/").length());
    try (CheckpointStorage storage = job.storage(BUCKET, PREFIX)) {
      assertThat(storage.list(relative)).as("files of savepoint %s", path).isNotEmpty();
    }
  }

  @Test
  @Order(3)
  void aWorkerJvmKilledFromTheHostShowsInStatusWithinTwoSecondsAndTheJobRecovers()
      throws Exception {
    job.awaitReady(2, READY);
    Pod worker = job.pods("worker").get(1);
    long t0 = System.nanoTime();
    weir.cluster.killContainerProcess(job.namespace, worker.getMetadata().getName(), "weir");
    awaitNotReadyWithin(Duration.ofSeconds(2), t0);
    timing("worker SIGKILL -> Ready False", (System.nanoTime() - t0) / 1_000_000);
    job.awaitReady(2, READY);
    timing("worker SIGKILL -> Ready again", (System.nanoTime() - t0) / 1_000_000);
    assertThat(job.events())
        .as("a Warning event about the loss")
        .anyMatch(e -> "Warning".equals(e.getType()) && e.getLastTimestamp() != null);
    assertOutputExactSoFar();
  }

  private static void awaitNotReadyWithin(Duration limit, long since) {
    await()
        .atMost(limit.plusMillis(500)) // the status read itself takes a moment
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> !job.ready());
    Condition ready = job.condition("Ready");
    LOG.info("Ready False: {} {}", ready.getReason(), ready.getMessage());
    assertThat(ready.getMessage()).isNotBlank();
    assertThat((System.nanoTime() - since) / 1_000_000).isLessThan(limit.toMillis() + 500);
  }

  @Test
  @Order(4)
  void aDeletedWorkerPodShowsInStatusWithinTwoSecondsAndTheJobRecovers() throws Exception {
    deletePodAndAwaitRecovery("worker");
  }

  @Test
  @Order(5)
  void aDeletedCoordinatorPodShowsInStatusWithinTwoSecondsAndTheJobRecovers() throws Exception {
    deletePodAndAwaitRecovery("coordinator");
  }

  private static void deletePodAndAwaitRecovery(String component) throws Exception {
    job.awaitReady(2, READY);
    Pod pod = job.pods(component).get(0);
    long t0 = System.nanoTime();
    weir.client.pods().resource(pod).withGracePeriod(0).delete();
    awaitNotReadyWithin(Duration.ofSeconds(2), t0);
    job.awaitReady(2, READY);
    timing(component + " pod deleted -> Ready again", (System.nanoTime() - t0) / 1_000_000);
    assertOutputExactSoFar();
  }

  @Test
  @Order(6)
  void rescalingByPatchAndByKubectlScaleGoesThroughASavepointEachTime() throws Exception {
    job.awaitReady(2, READY);
    int savepoints = job.status().savepointHistory.size();
    long t0 = System.nanoTime();
    job.kubectl("patch", "sj", job.name, "--type=merge", "-p", "{\"spec\":{\"parallelism\":3}}")
        .orThrow();
    job.awaitReady(3, READY);
    timing("patch parallelism 2 -> 3 -> Ready", (System.nanoTime() - t0) / 1_000_000);
    assertThat(job.pods("worker")).hasSize(3);
    assertThat(job.status().savepointHistory).hasSize(savepoints + 1);
    assertThat(job.status().lastSavepoint.trigger().name()).isEqualTo("UPGRADE");
    assertOutputExactSoFar();

    t0 = System.nanoTime();
    job.kubectl("scale", "sj/" + job.name, "--replicas=1").orThrow();
    job.awaitReady(1, READY);
    timing("kubectl scale 3 -> 1 -> Ready", (System.nanoTime() - t0) / 1_000_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> job.pods("worker").size() == 1);
    assertThat(job.status().savepointHistory).hasSize(savepoints + 2);
    assertOutputExactSoFar();
  }

  @Test
  @Order(7)
  void anUpgradeToAnotherImageTagCarriesTheStateThroughASavepoint() throws Exception {
    job.awaitReady(1, READY);
    long before = assertOutputExactSoFar();
    String oldJobId = job.status().jobId;
    long t0 = System.nanoTime();
    job.kubectl(
            "patch",
            "sj",
            job.name,
            "--type=merge",
            "-p",
            "{\"spec\":{\"image\":\"weir/worker:" + WeirOnCluster.OTHER_TAG + "\"}}")
        .orThrow();
    job.awaitReady(1, READY);
    timing("image upgrade -> Ready", (System.nanoTime() - t0) / 1_000_000);
    StreamingJobStatus s = job.status();
    assertThat(s.jobId).isNotEqualTo(oldJobId);
    assertThat(s.restoredFrom).contains("savepoint");
    assertThat(job.pods("worker").get(0).getSpec().getContainers().get(0).getImage())
        .isEqualTo("weir/worker:" + WeirOnCluster.OTHER_TAG);
    await().atMost(Duration.ofSeconds(60)).until(() -> assertOutputExactSoFar() > before);
  }

  @Test
  @Order(8)
  void anUpgradeThatFailsAtStartIsRolledBackWithTheStateIntact() throws Exception {
    job.awaitReady(1, READY);
    long generationBefore = job.resource().get().getMetadata().getGeneration();
    job.kubectl(
            "patch",
            "sj",
            job.name,
            "--type=json",
            "-p",
            "[{\"op\":\"add\",\"path\":\"/spec/job/args/-\",\"value\":\"--no-such-option\"},"
                + "{\"op\":\"replace\",\"path\":\"/spec/upgradeTimeout\",\"value\":\"40s\"}]")
        .orThrow();
    job.awaitStatus(
        Duration.ofMinutes(3),
        s ->
            s.rolledBackGeneration != null
                && s.rolledBackGeneration > generationBefore
                && s.upgrade == null);
    job.awaitReady(1, READY);
    Condition degraded = job.condition("Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("UpgradeRolledBack");
    LOG.info("rolled back: {}", degraded.getMessage());
    assertThat(degraded.getMessage()).as("why").contains("--no-such-option");
    long before = assertOutputExactSoFar();
    await().atMost(Duration.ofSeconds(60)).until(() -> assertOutputExactSoFar() > before);
    // back to a spec without the bad option
    job.kubectl(
            "patch",
            "sj",
            job.name,
            "--type=json",
            "-p",
            "[{\"op\":\"remove\",\"path\":\"/spec/job/args/"
                + (job.resource().get().getSpec().job().args().size() - 1)
                + "\"}]")
        .orThrow();
  }

  @Test
  @Order(9)
  void suspendedItRunsNoPodsAndResumedItContinuesFromItsSavepoint() throws Exception {
    job.awaitReady(1, READY);
    job.kubectl(
            "patch", "sj", job.name, "--type=merge", "-p", "{\"spec\":{\"state\":\"suspended\"}}")
        .orThrow();
    job.awaitStatus(READY, s -> "Suspended".equals(String.valueOf(s.phase)));
    await().atMost(Duration.ofSeconds(60)).until(() -> job.allPods().isEmpty());
    long suspended = assertOutputExactSoFar();
    assertThat(job.status().resumeSavepoint).isNotBlank();

    long t0 = System.nanoTime();
    job.kubectl("patch", "sj", job.name, "--type=merge", "-p", "{\"spec\":{\"state\":\"running\"}}")
        .orThrow();
    job.awaitReady(1, READY);
    timing("resume -> Ready", (System.nanoTime() - t0) / 1_000_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> assertOutputExactSoFar() > suspended);
  }

  @Test
  @Order(10)
  void anArgsUpgradeInLastStateModeRunsItToTheEndWithExactlyOnceOutput() throws Exception {
    job.awaitReady(1, READY);
    String jobId = job.status().jobId;
    // unlimited rate from the newest checkpoint on: the job finishes within seconds
    String json =
        "{\"spec\":{\"upgradeMode\":\"last-state\",\"job\":{\"args\":[\"--events\",\""
            + EVENTS
            + "\",\"--keys\",\""
            + KEYS
            + "\",\"--rate\",\"0\",\"--output\",\"s3://"
            + BUCKET
            + "/"
            + OUTPUT
            + "\"]}}}";
    job.kubectl("patch", "sj", job.name, "--type=merge", "-p", json).orThrow();
    job.awaitStatus(
        Duration.ofMinutes(3),
        s -> "Finished".equals(String.valueOf(s.phase)) && s.upgrade == null);
    // last-state: the same job id goes on from its newest retained checkpoint
    assertThat(job.status().jobId).isEqualTo(jobId);
    assertExactly(output(), EVENTS, KEYS);
  }

  @Test
  @Order(11)
  void deletedWithAFinalSavepointItLeavesNothingButTheSavepoint() throws Exception {
    JobOnCluster other =
        new JobOnCluster(weir, "e2e-deletion", "page-view-count").createNamespace();
    String deletable =
        replace(
            replace(manifest, PREFIX, PREFIX + "-deletion"),
            "  upgradeMode: savepoint\n",
            "  upgradeMode: savepoint\n  savepointOnDeletion: true\n");
    other.apply(deletable).orThrow();
    other.awaitReady(2, READY);
    other.kubectl("delete", "sj", other.name, "--wait=true", "--timeout=120s").orThrow();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(other.allPods()).isEmpty();
              assertThat(
                      other
                          .kubectl("get", "svc,cm,deploy,sts", "-o", "name")
                          .orThrow()
                          .lines()
                          .filter(l -> l.contains(other.name))
                          .toList())
                  .isEmpty();
            });
    String reported =
        other.events().stream()
            .filter(e -> "SavepointCompleted".equals(e.getReason()))
            .map(e -> e.getMessage())
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no SavepointCompleted event: " + other.events()));
    other.deleteNamespace();
    String path = reported.substring(reported.indexOf("s3://"));
    String base = "s3://" + BUCKET + "/" + PREFIX + "-deletion/";
    assertThat(path).startsWith(base);
    try (CheckpointStorage storage = other.storage(BUCKET, PREFIX + "-deletion")) {
      assertThat(storage.list(path.substring(base.length())))
          .as("the final savepoint %s", path)
          .isNotEmpty();
    }
  }
}
