package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.runtime.JobStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PageViewCount on worker child processes that are SIGKILLed at random moments — while running,
 * during checkpoints, and while the job is being restored — several times per run. The committed
 * output per key must be exactly 1..N/K every time. {@code -Dweir.soak=N} adds N runs per backend.
 */
class DistributedChaosIT {
  private static final int RUNS_PER_BACKEND = 10 + Integer.getInteger("weir.soak", 0);

  static Stream<Arguments> runs() {
    return Stream.of("heap", "rocksdb")
        .flatMap(
            backend ->
                IntStream.range(0, RUNS_PER_BACKEND).mapToObj(run -> Arguments.of(backend, run)));
  }

  @ParameterizedTest(name = "{0} state, run {1}")
  @MethodSource("runs")
  void outputIsExactlyOnceAfterWorkersAreKilledAtRandomMoments(
      String backend, int run, @TempDir Path dir) throws Exception {
    SplittableRandom random = new SplittableRandom(run * 7919L + backend.hashCode());
    PageViewCountRun job = new PageViewCountRun(48_000, 24);
    job.backend = backend;
    job.rate = 3_000; // eight seconds without failures
    job.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";
    job.output = dir.resolve("output").toString();
    Path manifest = dir.resolve("job.yaml");
    job.restartAttempts = 50;
    Files.writeString(manifest, job.manifest());
    JobSpec spec =
        new ManifestValidator(System::getenv).validate(Files.readString(manifest), "chaos");

    JobRunner.Workers workers = new JobRunner.Workers.Remote("127.0.0.1", 0, Duration.ofSeconds(3));
    try (JobRunner runner = new JobRunner(spec, "chaos", dir.resolve("coordinator"), workers);
        WorkerProcesses processes =
            new WorkerProcesses(
                spec.parallelism(), manifest, "127.0.0.1:" + runner.controlPort(), "chaos", dir)) {
      URI http = runner.startHttp("127.0.0.1", 0);
      CompletableFuture<JobStatus> result = runner.start();
      // the first kill comes after the first completed checkpoint, so at least one restore is real
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> runner.checkpointStats().counts().completed() >= 1);
      int kills = 2 + random.nextInt(2);
      for (int k = 0; k < kills && (k == 0 || !result.isDone()); k++) {
        int attempt = runner.jobMaster().attempt();
        boolean duringRestore = k > 0 && random.nextBoolean();
        pause(Duration.ofMillis(duringRestore ? random.nextInt(300) : 300 + random.nextInt(1500)));
        long pid = processes.pids()[random.nextInt(spec.parallelism())];
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        try {
          await()
              .atMost(Duration.ofSeconds(90))
              .until(() -> result.isDone() || runner.jobMaster().attempt() > attempt);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          dumpLogs(dir, runner);
          throw e;
        }
      }
      JobStatus status = result.get(3, TimeUnit.MINUTES);
      if (status != JobStatus.FINISHED) {
        dumpLogs(dir, runner);
      }
      assertThat(status)
          .as("failure: %s", runner.jobMaster().failureCause())
          .isEqualTo(JobStatus.FINISHED);
      assertThat(processes.restarts()).isGreaterThanOrEqualTo(1);
      JsonNode counts =
          new ObjectMapper()
              .readTree(
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(http.resolve("/api/v1/checkpoints")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .get("counts");
      assertThat(counts.get("restored").asLong())
          .isGreaterThanOrEqualTo(1)
          .isEqualTo(runner.checkpointStats().counts().restored());
    }
    job.assertExactlyOnce();
  }

  /** Prints what the coordinator and the workers logged, to diagnose a run that got stuck. */
  private static void dumpLogs(Path dir, JobRunner runner) throws Exception {
    System.out.println(
        "STUCK: status "
            + runner.jobMaster().status()
            + " attempt "
            + runner.jobMaster().attempt()
            + " "
            + runner.checkpointStats().counts());
    try (var logs = Files.list(dir)) {
      for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
        List<String> lines = Files.readAllLines(log);
        System.out.println("==== " + log + " (last 80 lines)");
        lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
      }
    }
  }

  /** Waits a chosen moment before the next kill (timing of the chaos, not a synchronization). */
  private static void pause(Duration duration) {
    await().pollDelay(duration).atMost(duration.plusSeconds(1)).until(() -> true);
  }
}
