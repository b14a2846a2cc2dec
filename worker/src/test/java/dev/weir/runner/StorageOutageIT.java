package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.runtime.JobStatus;
import dev.weir.testbed.MinioServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint storage (a real MinIO) goes away for longer than the checkpoint timeout while the
 * job runs on worker processes: checkpoints fail but, within the tolerable number, the job keeps
 * running; when MinIO is back they complete again, the output is still exactly-once, and the
 * statistics served over HTTP say what happened.
 */
class StorageOutageIT {

  private static JsonNode get(URI base, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body());
  }

  @Test
  void checkpointsFailDuringAnOutageAndCompleteAgainAfterIt(@TempDir Path dir) throws Exception {
    try (MinioServer minio =
        MinioServer.start(
            "weir", System.getenv("WEIR_S3_ACCESS_KEY"), System.getenv("WEIR_S3_SECRET_KEY"))) {
      PageViewCountRun job = new PageViewCountRun(60_000, 20);
      job.backend = "rocksdb";
      job.rate = 5_000; // six seconds
      job.restartAttempts = 5;
      job.storageYaml = "{endpoint: '" + minio.endpoint() + "', bucket: weir, prefix: outage}";
      job.output = dir.resolve("output").toString();
      job.interval = "300ms";
      job.checkpointTimeout = "1s";
      job.tolerableFailures = 100;
      String manifest = job.manifest();
      Path file = dir.resolve("job.yaml");
      Files.writeString(file, manifest);
      JobSpec spec = new ManifestValidator(System::getenv).validate(manifest, "outage");
      JobRunner.Workers workers =
          new JobRunner.Workers.Remote("127.0.0.1", 0, Duration.ofSeconds(5));
      try (JobRunner runner = new JobRunner(spec, "outage", dir.resolve("coordinator"), workers);
          WorkerProcesses processes =
              new WorkerProcesses(
                  spec.parallelism(), file, "127.0.0.1:" + runner.controlPort(), "outage", dir)) {
        URI http = runner.startHttp("127.0.0.1", 0);
        CompletableFuture<JobStatus> result = runner.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> runner.checkpointStats().counts().completed() >= 2);

        long completedBeforeOutage = runner.checkpointStats().counts().completed();
        minio.kill();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> runner.checkpointStats().counts().failed() >= 2);
        minio.restart();

        assertThat(result.get(3, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);
        assertThat(runner.jobMaster().attempt()).as("no restart: failures were tolerated").isZero();
        JsonNode counts = get(http, "/api/v1/checkpoints").get("counts");
        assertThat(counts.get("failed").asLong()).isGreaterThanOrEqualTo(2);
        // the final checkpoint, at least, completed after the outage
        assertThat(counts.get("completed").asLong()).isGreaterThan(completedBeforeOutage);
        assertThat(get(http, "/api/v1/job").get("status").asText()).isEqualTo("FINISHED");
      }
      job.assertExactlyOnce();
    }
  }
}
