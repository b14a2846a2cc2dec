package dev.weir.e2e.cluster;

import static dev.weir.e2e.cluster.JobOnCluster.assertNoGapNoRepeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeStep;
import dev.weir.storage.CheckpointStorage;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's JVM SIGKILLed (from the host) at each step of a rescale in turn: the rescale
 * completes once the operator is back, with exactly one job running, no lost or duplicated output,
 * and every savepoint in storage recorded in status.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorKilledDuringRescaleE2E {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorKilledDuringRescaleE2E.class);
  private static final String BUCKET = "weir";

  /** This run's storage prefix: MinIO outlives a run, and a run reads only its own output. */
  private static final String PREFIX = "e2e-operator-kill-" + System.currentTimeMillis();

  private static final Duration READY = Duration.ofMinutes(3);

  private static WeirOnCluster weir;
  private static JobOnCluster job;

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
    job = new JobOnCluster(weir, "e2e-operator-kill", "page-view-count").createNamespace();
    job.apply(JobOnCluster.example(weir, "300", BUCKET, PREFIX, PREFIX + "/out")).orThrow();
    job.awaitReady(2, READY);
  }

  @ParameterizedTest(name = "killed at {0}")
  @EnumSource(
      value = UpgradeStep.class,
      names = {"SAVEPOINTING", "STOPPING", "DEPLOYING", "AWAITING_READY"})
  @Order(1)
  void aRescaleCompletesAfterTheOperatorIsKilledAtThisStep(UpgradeStep step) throws Exception {
    int from = job.status().parallelism;
    int to = from == 2 ? 3 : 2;
    long t0 = System.nanoTime();
    job.kubectl(
            "patch",
            "sj",
            job.name,
            "--type=merge",
            "-p",
            "{\"spec\":{\"parallelism\":" + to + "}}")
        .orThrow();
    job.awaitStatus(Duration.ofMinutes(2), s -> s.upgrade != null && s.upgrade.step() == step);
    Pod operator = weir.operatorPod();
    weir.cluster.killContainerProcess(
        WeirOnCluster.OPERATOR_NAMESPACE, operator.getMetadata().getName(), "operator");
    StreamingJobStatus atKill = job.status();
    LOG.info("operator killed during {} (status then: {})", step, JobOnCluster.describe(atKill));

    job.awaitReady(to, READY);
    LOG.info(
        "TIMING rescale {} -> {} with the operator killed at {}: {} ms",
        from,
        to,
        step,
        (System.nanoTime() - t0) / 1_000_000);
    weir.awaitOperatorReady();

    StreamingJobStatus s = job.status();
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(
            () -> {
              List<Pod> pods = job.allPods();
              Set<String> jobIds =
                  pods.stream()
                      .map(p -> p.getMetadata().getLabels().get("weir.dev/job-id"))
                      .collect(Collectors.toSet());
              assertThat(jobIds).as("job ids of the pods").containsExactly(s.jobId);
              assertThat(job.pods("coordinator")).hasSize(1);
              assertThat(job.pods("worker")).hasSize(to);
            });
    assertNoOrphanedSavepoint(s);
    assertThat(assertNoGapNoRepeat(job.committedCounts(BUCKET, PREFIX + "/out"))).isPositive();
  }

  /** Every savepoint directory in storage is one the status reports. */
  private static void assertNoOrphanedSavepoint(StreamingJobStatus s) throws Exception {
    Set<String> reported =
        s.savepointHistory.stream()
            .filter(SavepointInfo::completed)
            .map(SavepointInfo::path)
            .map(p -> p.replaceAll("/+$", ""))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(reported).as("savepoints in status").isNotEmpty();
    String base = "s3://" + BUCKET + "/" + PREFIX + "/";
    // savepoints live in <jobId>/savepoints/sp-<n>/ of every job id the job has had
    Pattern savepointDir = Pattern.compile("([^/]+/savepoints/sp-[^/]+)/.*");
    Set<String> stored = new TreeSet<>();
    try (CheckpointStorage storage = job.storage(BUCKET, PREFIX)) {
      for (String key : storage.list("")) {
        Matcher m = savepointDir.matcher(key);
        if (m.matches()) {
          stored.add(base + m.group(1));
        }
      }
    }
    assertThat(stored).as("savepoints in storage").isEqualTo(reported);
  }
}
