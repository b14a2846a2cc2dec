package dev.weir.chaos;

import static org.awaitility.Awaitility.await;

import dev.weir.connectors.ExactlyOnceFileSink;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageLocation;
import dev.weir.testbed.MinioServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Runs PageViewCount (exactly-once file sink, checkpoints and output on MinIO) through one {@link
 * ChaosPlan}: waits for the first completed checkpoint, injects each fault in turn (a fault whose
 * moment comes after the job ended is skipped, not counted), waits for the job to finish, and
 * checks the committed output with an {@link OutputLedger}.
 *
 * <p>Threading: one thread runs a plan from start to end.
 */
final class ChaosRun {
  /** How long a job may take to finish after the last fault before the run counts as stuck. */
  static final Duration END_TIMEOUT = Duration.ofMinutes(3);

  /**
   * What the soak runs: {@code events} page views over {@code keys} apps, {@code rate} events/s per
   * source subtask.
   */
  record Workload(long events, int keys, long rate) {
    long perKey() {
      return events / keys;
    }
  }

  /** How a run ended. */
  enum Outcome {
    /** Finished, output exactly 1..N/K per key. */
    EXACT,
    /** Finished, but counts are missing or repeated. */
    INEXACT,
    /** Did not finish within {@link #END_TIMEOUT}, or a step could not be carried out. */
    STUCK
  }

  /** What one run did and found. */
  record Report(
      ChaosPlan plan,
      Outcome outcome,
      Map<FaultKind, Integer> injected,
      Map<FaultKind, Integer> skipped,
      long lost,
      long duplicated,
      int workerRestarts,
      int unplannedCoordinatorExits,
      Duration elapsed,
      String detail) {}

  private final ChaosPlan plan;
  private final Workload workload;
  private final MinioServer minio;
  private final Path dir;
  private final PrintStream log;
  private final Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);
  private final Map<FaultKind, Integer> skipped = new EnumMap<>(FaultKind.class);

  ChaosRun(ChaosPlan plan, Workload workload, MinioServer minio, Path dir, PrintStream log) {
    this.plan = plan;
    this.workload = workload;
    this.minio = minio;
    this.dir = dir;
    this.log = log;
  }

  Report execute() throws Exception {
    long started = System.nanoTime();
    String prefix =
        "chaos-%d-%d-%s"
            .formatted(plan.seed(), plan.run(), UUID.randomUUID().toString().substring(0, 8));
    String output = "s3://" + minio.bucket() + "/" + prefix + "/output";
    String detail = "";
    Outcome outcome = Outcome.STUCK;
    OutputLedger ledger = null;
    try (ChaosCluster cluster = new ChaosCluster(dir)) {
      int parallelism = plan.parallelism();
      String jobId = "chaos-" + plan.run();
      cluster.start(manifest(parallelism, prefix, output), jobId, parallelism, null);
      try {
        awaitUntil(cluster, Duration.ofSeconds(90), () -> cluster.completedCheckpoints() >= 1);
        for (Fault fault : plan.faults()) {
          pause(cluster, fault.delay());
          if (cluster.ended()) {
            skipped.merge(fault.kind(), 1, Integer::sum);
            log.printf("  %s: skipped, the job had ended%n", fault);
            continue;
          }
          log.printf("  %s%n", fault);
          if (fault.kind() == FaultKind.RESCALE) {
            if (!rescale(cluster, fault, prefix, output, jobId)) {
              skipped.merge(fault.kind(), 1, Integer::sum);
              continue;
            }
            jobId = jobId + "-p" + fault.parallelism();
            injected.merge(fault.kind(), 1, Integer::sum);
          } else {
            injected.merge(fault.kind(), 1, Integer::sum); // counted once the signal is sent
            inject(cluster, fault);
          }
        }
        awaitUntil(cluster, END_TIMEOUT, cluster::ended);
        cluster.stopWorkers();
        ledger = check(output);
        outcome = ledger.exact() ? Outcome.EXACT : Outcome.INEXACT;
        detail = ledger.sample();
      } catch (ConditionTimeoutException e) {
        detail = "timed out: " + e.getMessage();
        log.printf("  STUCK %s; logs kept in %s%n", detail, dir);
      }
      return new Report(
          plan,
          outcome,
          injected,
          skipped,
          ledger == null ? -1 : ledger.lost(),
          ledger == null ? -1 : ledger.duplicated(),
          cluster.workerRestarts(),
          cluster.unplannedCoordinatorExits(),
          Duration.ofNanos(System.nanoTime() - started),
          detail);
    }
  }

  private void inject(ChaosCluster cluster, Fault fault) throws Exception {
    switch (fault.kind()) {
      case WORKER_KILL -> {
        int attempt = cluster.attempt();
        long pid = cluster.workerPid(fault.target());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        // the next step comes once the job master has noticed and redeployed (or the job ended)
        awaitUntil(
            cluster, Duration.ofSeconds(60), () -> cluster.ended() || cluster.attempt() > attempt);
      }
      case COORDINATOR_KILL -> {
        cluster.killCoordinator();
        cluster.restartCoordinator();
        awaitUntil(
            cluster, Duration.ofSeconds(60), () -> cluster.ended() || cluster.attempt() >= 0);
      }
      case PAUSE -> {
        long pid =
            fault.target() < 0 ? cluster.coordinatorPid() : cluster.workerPid(fault.target());
        signal("STOP", pid);
        try {
          pause(cluster, fault.duration());
        } finally {
          signal("CONT", pid);
        }
      }
      case STORAGE_OUTAGE -> {
        minio.kill();
        try {
          pause(cluster, fault.duration());
        } finally {
          minio.restart();
        }
      }
      case RESCALE -> throw new IllegalArgumentException("a rescale is no injected fault");
    }
  }

  /** Stop-with-savepoint, then the job from the savepoint at the fault's parallelism. */
  private boolean rescale(
      ChaosCluster cluster, Fault fault, String prefix, String output, String jobId)
      throws Exception {
    // a stop is refused while the job restores from the previous fault: asked again, as an
    // operator would, until it is taken or the job has ended (its coordinator exits at the end)
    StringBuilder errors = new StringBuilder();
    AtomicReference<String> savepoint = new AtomicReference<>();
    awaitUntil(
        cluster,
        Duration.ofSeconds(60),
        () -> {
          if (cluster.ended()) {
            return true;
          }
          errors.setLength(0);
          cluster.stopWithSavepoint(errors).ifPresent(savepoint::set);
          return savepoint.get() != null;
        });
    if (savepoint.get() == null) {
      log.printf("  rescale skipped, the job had ended (last refusal: %s)%n", errors);
      return false;
    }
    awaitUntil(cluster, Duration.ofSeconds(60), cluster::ended);
    cluster.stopWorkers();
    log.printf("  savepoint %s%n", savepoint.get());
    cluster.start(
        manifest(fault.parallelism(), prefix, output),
        jobId + "-p" + fault.parallelism(),
        fault.parallelism(),
        savepoint.get());
    awaitUntil(cluster, Duration.ofSeconds(60), () -> cluster.ended() || cluster.attempt() >= 0);
    return true;
  }

  private OutputLedger check(String output) throws Exception {
    List<String> lines;
    try (CheckpointStorage out = StorageLocation.parse(output, minio.endpoint()).open()) {
      lines = ExactlyOnceFileSink.readCommitted(out);
    }
    return OutputLedger.of(lines, workload.keys(), workload.perKey());
  }

  private Path manifest(int parallelism, String prefix, String output) throws IOException {
    String yaml =
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: chaos}
        spec:
          parallelism: %d
          job:
            entryClass: dev.weir.jobs.PageViewCount
            args: [--events, "%d", --keys, "%d", --rate, "%d", --output, "%s"]
          checkpointing: {interval: 200ms, mode: EXACTLY_ONCE, timeout: 3s, retained: 2, tolerableFailures: 1000, unaligned: %s}
          stateBackend: %s
          storage: {endpoint: '%s', bucket: %s, prefix: %s/state}
          restartStrategy: {type: fixed-delay, attempts: 1000, delay: 200ms}
        """
            .formatted(
                parallelism,
                workload.events(),
                workload.keys(),
                workload.rate(),
                output,
                plan.unaligned(),
                plan.backend(),
                minio.endpoint(),
                minio.bucket(),
                prefix);
    Path file = dir.resolve("job-p" + parallelism + ".yaml");
    Files.createDirectories(dir);
    Files.writeString(file, yaml);
    return file;
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
    }
  }

  /** Waits for {@code condition}, supervising the coordinator meanwhile. */
  private static void awaitUntil(ChaosCluster cluster, Duration atMost, BooleanSupplier condition) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              cluster.supervise();
              return condition.getAsBoolean();
            });
  }

  /** Lets {@code duration} pass (the timing of the chaos, not a synchronization). */
  private static void pause(ChaosCluster cluster, Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    awaitUntil(cluster, duration.plusSeconds(5), () -> System.nanoTime() >= until);
  }
}
