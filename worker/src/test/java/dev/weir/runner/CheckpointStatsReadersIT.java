package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.config.JobSpec;
import dev.weir.proto.runtime.CheckpointCounts;
import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.JobStatusRequest;
import dev.weir.proto.runtime.JobStatusResponse;
import dev.weir.runtime.JobStatus;
import dev.weir.storage.S3Credentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader of a job's checkpoint statistics reads the same model: the gRPC JobService (what the
 * operator puts into a StreamingJob's status), the HTTP JSON, the status page and /metrics agree,
 * and none of them shows a credential.
 */
class CheckpointStatsReadersIT {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Test
  void grpcStatusAndHttpJsonAgreeAfterCompletedAndFailedCheckpointsAndNoReaderShowsTheSecret(
      @TempDir Path dir) throws Exception {
    String secret = System.getenv(S3Credentials.WEIR_SECRET_KEY);
    assertThat(secret).as("set for the integration tests by the failsafe plugin").isNotBlank();
    // the storage's path carries the secret, and so do checkpoint paths and upload failures
    Path storage = dir.resolve(secret).resolve("checkpoints");
    PageViewCountRun job = new PageViewCountRun(20_000, 10);
    job.rate = 4_000;
    job.tolerableFailures = 10;
    job.storageYaml = "{path: '" + storage + "'}";
    job.output = dir.resolve("output").toString();
    JobSpec spec = job.spec();

    try (JobRunner runner =
        new JobRunner(
            spec, "readers", dir.resolve("coordinator"), new JobRunner.Workers.InProcess())) {
      URI page = runner.startHttp("127.0.0.1", 0);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", runner.controlPort()).usePlaintext().build();
      try {
        var api = JobServiceGrpc.newBlockingStub(channel);
        var result = runner.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> status(api).getCheckpoints().getCompleted() >= 2);

        // a few checkpoints ahead cannot be written: a file lies where their directory goes, so
        // the keyed tasks decline them with an upload failure that names the path
        long highestId = status(api).getCheckpoints().getTriggered();
        for (long id = highestId + 3; id <= highestId + 5; id++) {
          Files.writeString(storage.resolve("readers").resolve("chk-" + id), "not a directory");
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> status(api).getCheckpoints().getFailed() >= 1);
        assertThat(result.get(2, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);

        JobStatusResponse grpc = status(api);
        JsonNode checkpoints = json.readTree(get(page, "api/v1/checkpoints"));
        CheckpointCounts counts = grpc.getCheckpoints();
        JsonNode jsonCounts = checkpoints.get("counts");
        assertThat(counts.getFailed()).isGreaterThanOrEqualTo(1);
        assertThat(counts.getCompleted()).isGreaterThanOrEqualTo(3);
        assertThat(counts.getTriggered()).isEqualTo(jsonCounts.get("triggered").asLong());
        assertThat(counts.getInProgress()).isEqualTo(jsonCounts.get("inProgress").asInt());
        assertThat(counts.getCompleted()).isEqualTo(jsonCounts.get("completed").asLong());
        assertThat(counts.getFailed()).isEqualTo(jsonCounts.get("failed").asLong());
        assertThat(counts.getRestored()).isEqualTo(jsonCounts.get("restored").asLong());

        JsonNode latestFailed = checkpoints.get("latestFailed");
        assertThat(grpc.getLatestFailure())
            .isEqualTo(latestFailed.get("failureMessage").asText())
            .contains("declined")
            .contains("***");
        JsonNode latestCompleted = checkpoints.get("latestCompleted");
        assertThat(grpc.getLatestCompleted().getId()).isEqualTo(latestCompleted.get("id").asLong());
        assertThat(grpc.getLatestCompleted().getPath())
            .isEqualTo(latestCompleted.get("path").asText());
        assertThat(grpc.getLatestCompleted().getCompletionTimestampMs())
            .isEqualTo(latestCompleted.get("completionTimestampMillis").asLong());
        assertThat(grpc.getLatestCompleted().getDurationMs())
            .isEqualTo(latestCompleted.get("completionDurationMillis").asLong());
        assertThat(grpc.getLatestCompleted().getStateSizeBytes())
            .isEqualTo(latestCompleted.get("stateSizeBytes").asLong());

        assertThat(grpc.toString()).as("gRPC JobService").doesNotContain(secret);
        for (String path : new String[] {"api/v1/checkpoints", "", "metrics"}) {
          assertThat(get(page, path)).as("/" + path).doesNotContain(secret);
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static JobStatusResponse status(JobServiceGrpc.JobServiceBlockingStub api) {
    return api.getJobStatus(JobStatusRequest.getDefaultInstance());
  }

  private String get(URI base, String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET /" + path).isEqualTo(200);
    return response.body();
  }
}
