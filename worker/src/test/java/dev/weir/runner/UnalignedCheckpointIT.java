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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PageViewCount behind a deliberately slow sink, so that every input channel of the counting stage
 * is full (backpressure): with aligned checkpoints the barriers wait behind seconds of in-flight
 * data and time out; with unaligned ones they overtake it, the in-flight data is persisted, and
 * after a worker process is SIGKILLed the job restores it and the committed output is still exactly
 * 1..N/K per key.
 */
class UnalignedCheckpointIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  // 2 subtasks, each sink takes 4,000 records/s: a full channel (4 buffers of 3,276 records) holds
  // over 3 s of work, two of them 6.5 s, far beyond the 2 s checkpoint timeout
  private static PageViewCountRun slowJob(Path dir, String backend) {
    return slowJob(dir, backend, 100_000);
  }

  private static PageViewCountRun slowJob(Path dir, String backend, long events) {
    PageViewCountRun job = new PageViewCountRun(events, 20);
    job.backend = backend;
    job.rate = 0;
    job.sinkRate = 4_000;
    job.interval = "500ms";
    job.checkpointTimeout = "2s";
    job.tolerableFailures = 1_000;
    job.restartAttempts = 20;
    job.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";
    job.output = dir.resolve("output").toString();
    return job;
  }

  @Test
  void alignedCheckpointsTimeOutUnderBackpressure(@TempDir Path dir) throws Exception {
    PageViewCountRun job = slowJob(dir, "heap", 300_000);
    // aligned checkpoints of this job now take 1.5-1.9 s behind the slow sink: a 1 s timeout
    // leaves them no chance, and more events keep the backpressure up for the whole wait
    job.checkpointTimeout = "1s";

    try (Cluster cluster = Cluster.start(job, dir)) {
      // behind full channels aligned checkpoints expire; the first ones may complete while the
      // channels still fill up, and one may get through when the buffers in flight happen to
      // drain within the timeout: count from the first expiry on, rather than forbid
      var runner = cluster.runner;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> runner.checkpointStats().counts().failed() >= 1);
      long completedBefore = runner.checkpointStats().counts().completed();
      long failedBefore = runner.checkpointStats().counts().failed();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> runner.checkpointStats().counts().failed() >= failedBefore + 4);

      assertThat(runner.checkpointStats().counts().completed() - completedBefore)
          .as("aligned checkpoints completed under backpressure while 4 more expired")
          .isLessThanOrEqualTo(1);
      assertThat(cluster.runner.checkpointStats().latestFailed().failureMessage())
          .contains("expired");
      cluster.runner.cancel();
    }
  }

  @ParameterizedTest(name = "{0} state")
  @CsvSource({"heap", "rocksdb"})
  void unalignedCheckpointsCompleteUnderBackpressureAndRestoreExactlyOnceAfterSigkill(
      String backend, @TempDir Path dir) throws Exception {
    PageViewCountRun job = slowJob(dir, backend);
    job.unaligned = true;
    // the first 36,000 records of each sink run are slow (about 9 s): the job is backpressured
    // when the worker is killed, and drains quickly at its end, where the final checkpoint aligns
    job.sinkSlowRecords = 36_000;
    job.checkpointTimeout = "10s";

    JobStatus status;
    try (Cluster cluster = Cluster.start(job, dir)) {
      // unaligned checkpoints complete while the sink is slow, each with in-flight data
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> unalignedWithInFlightData(cluster.checkpoints()).size() >= 2);
      assertThat(cluster.checkpoints().get("counts").get("failed").asLong())
          .as("failed checkpoints while backpressured")
          .isZero();
      int attempt = cluster.runner.jobMaster().attempt();
      long pid = cluster.processes.pids()[1];
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> cluster.runner.jobMaster().attempt() > attempt);

      status = cluster.result.get(3, TimeUnit.MINUTES);
      assertThat(status)
          .as("failure: %s", cluster.runner.jobMaster().failureCause())
          .isEqualTo(JobStatus.FINISHED);
      assertThat(cluster.processes.restarts()).isGreaterThanOrEqualTo(1);
      JsonNode restore = cluster.checkpoints().get("latestRestore");
      assertThat(restore.isNull()).as("restored").isFalse();
      long restoredId = restore.get("checkpointId").asLong();
      assertThat(unalignedWithInFlightData(cluster.checkpoints()))
          .as("the restored checkpoint held in-flight data")
          .contains(restoredId);
    }
    job.assertExactlyOnce();
  }

  @Test
  void anAlignmentTimeoutSwitchesCheckpointsToUnalignedAndRecoveryStaysExactlyOnce(
      @TempDir Path dir) throws Exception {
    PageViewCountRun job = slowJob(dir, "heap");
    job.unaligned = true;
    job.alignedCheckpointTimeout = "200ms";
    job.sinkSlowRecords = 20_000;
    job.checkpointTimeout = "10s";
    job.injectFailures = 2;
    job.restartAttempts = 4;
    job.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";

    JobSpec spec = new ManifestValidator(System::getenv).validate(job.manifest(), "test");
    try (JobRunner runner = new JobRunner(spec, "switch", dir.resolve("run"))) {
      URI http = runner.startHttp("127.0.0.1", 0);
      JobStatus status = runner.start().get(3, TimeUnit.MINUTES);

      assertThat(status).isEqualTo(JobStatus.FINISHED);
      assertThat(runner.jobMaster().attempt()).as("restarts").isEqualTo(2);
      JsonNode checkpoints = get(http);
      assertThat(unalignedWithInFlightData(checkpoints))
          .as("checkpoints switched to unaligned after 200 ms of alignment")
          .isNotEmpty();
    }
    job.assertExactlyOnce();
  }

  /** Ids of completed checkpoints taken unaligned that persisted in-flight data. */
  private static List<Long> unalignedWithInFlightData(JsonNode checkpoints) {
    List<Long> ids = new ArrayList<>();
    for (JsonNode checkpoint : checkpoints.get("history")) {
      if (checkpoint.get("status").asText().equals("COMPLETED")
          && checkpoint.get("unaligned").asBoolean()
          && checkpoint.get("persistedInFlightBytes").asLong() > 0) {
        ids.add(checkpoint.get("id").asLong());
      }
    }
    return ids;
  }

  private static JsonNode get(URI http) throws Exception {
    return JSON.readTree(
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(http.resolve("/api/v1/checkpoints")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  /** A coordinator in this JVM with one worker child process per subtask. */
  private static final class Cluster implements AutoCloseable {
    final JobRunner runner;
    final WorkerProcesses processes;
    final URI http;
    final CompletableFuture<JobStatus> result;

    private Cluster(JobRunner runner, WorkerProcesses processes) throws Exception {
      this.runner = runner;
      this.processes = processes;
      this.http = runner.startHttp("127.0.0.1", 0);
      this.result = runner.start();
    }

    static Cluster start(PageViewCountRun job, Path dir) throws Exception {
      Path manifest = dir.resolve("job.yaml");
      Files.writeString(manifest, job.manifest());
      JobSpec spec =
          new ManifestValidator(System::getenv).validate(Files.readString(manifest), "test");
      JobRunner.Workers workers =
          new JobRunner.Workers.Remote("127.0.0.1", 0, Duration.ofSeconds(3));
      JobRunner runner = new JobRunner(spec, "unaligned", dir.resolve("coordinator"), workers);
      WorkerProcesses processes =
          new WorkerProcesses(
              spec.parallelism(), manifest, "127.0.0.1:" + runner.controlPort(), "unaligned", dir);
      return new Cluster(runner, processes);
    }

    JsonNode checkpoints() throws Exception {
      return get(http);
    }

    @Override
    public void close() {
      try {
        processes.close();
      } finally {
        runner.close();
      }
    }
  }
}
