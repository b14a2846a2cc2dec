package dev.weir.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.runtime.JobStatus;
import dev.weir.state.SnapshotType;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import dev.weir.stats.StatsFixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coordinator's endpoints on a real server bound to the loopback interface. */
class CoordinatorHttpServerIT {
  private static final String SECRET = "it-secret-key-4711";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final CheckpointStatsTracker tracker =
      StatsFixtures.sampleTracker(CredentialRedaction.of(List.of(SECRET)));
  private final AtomicReference<JobOverview> job =
      new AtomicReference<>(new JobOverview("page-views", JobStatus.RUNNING, 1, 2, 1500.0, null));
  private final AtomicReference<Health> health = new AtomicReference<>(Health.ok());
  private CoordinatorHttpServer server;

  @BeforeEach
  void start() throws IOException {
    server =
        CoordinatorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            tracker::snapshot,
            job::get,
            health::get,
            CredentialRedaction.of(List.of(SECRET)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path);
  }

  @Test
  void bindsTheLoopbackInterfaceOnAFreePort() {
    assertThat(server.port()).isPositive();
    assertThat(server.address().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    assertThat(server.uri()).isEqualTo(URI.create("http://127.0.0.1:" + server.port() + "/"));
  }

  @Test
  void checkpointsJsonReadsBackIntoTheSameSnapshot() throws Exception {
    HttpResponse<String> response = get("/api/v1/checkpoints");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json.readValue(response.body(), CheckpointStatsSnapshot.class))
        .isEqualTo(tracker.snapshot());
  }

  @Test
  void checkpointsJsonHasTheDocumentedShape() throws Exception {
    JsonNode root = json.readTree(get("/api/v1/checkpoints").body());

    assertThat(root.get("counts").get("triggered").asLong()).isEqualTo(5);
    assertThat(root.get("counts").get("inProgress").asInt()).isEqualTo(1);
    assertThat(root.get("latestCompleted").get("id").asLong()).isEqualTo(3);
    assertThat(root.get("latestFailed").get("failureReason").asText()).isEqualTo("EXPIRED");
    assertThat(root.get("latestSavepoint").isNull()).isTrue();
    assertThat(root.get("latestRestore").get("checkpointId").asLong()).isEqualTo(2);
    assertThat(root.get("completedDurations").get("p99Millis").asLong()).isEqualTo(33);
    assertThat(root.get("historyLimit").asInt()).isEqualTo(100);
    JsonNode newest = root.get("history").get(0);
    assertThat(newest.get("id").asLong()).isEqualTo(5);
    assertThat(newest.get("status").asText()).isEqualTo("IN_PROGRESS");
    assertThat(newest.get("finalCheckpoint").asBoolean()).isTrue();
    JsonNode completed = root.get("history").get(2);
    JsonNode counterStage = completed.get("stages").get(1);
    assertThat(counterStage.get("name").asText()).isEqualTo("count -> sink");
    assertThat(counterStage.get("subtasks").get(0).get("alignmentBufferedBytes").asLong())
        .isEqualTo(4_096);
    assertThat(completed.get("operators").get(0).get("uid").asText()).isEqualTo("count");
  }

  @Test
  void jobJsonCarriesNameStatusAttemptParallelismAndRates() throws Exception {
    HttpResponse<String> response = get("/api/v1/job");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json.readValue(response.body(), JobOverview.class)).isEqualTo(job.get());
    JsonNode root = json.readTree(response.body());
    assertThat(root.get("jobName").asText()).isEqualTo("page-views");
    assertThat(root.get("status").asText()).isEqualTo("RUNNING");
    assertThat(root.get("attempt").asInt()).isEqualTo(1);
    assertThat(root.get("parallelism").asInt()).isEqualTo(2);
    assertThat(root.get("recordsInPerSecond").asDouble()).isEqualTo(1500.0);
    assertThat(root.get("recordsOutPerSecond").isNull()).isTrue();
  }

  @Test
  void metricsParseAsPrometheusText() throws Exception {
    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain; version=0.0.4");
    Map<String, PrometheusText.Family> families = PrometheusText.parse(response.body());
    assertThat(families)
        .containsKeys(
            "weir_checkpoints_triggered_total",
            "weir_checkpoints_completed_total",
            "weir_checkpoints_failed_total",
            "weir_checkpoints_restored_total",
            "weir_checkpoints_in_progress",
            "weir_checkpoint_last_duration_ms",
            "weir_checkpoint_last_size_bytes",
            "weir_job_restarts",
            "weir_job_up");
    assertThat(PrometheusText.value(families, "weir_checkpoints_completed_total", Map.of()))
        .isEqualTo(3);
    assertThat(PrometheusText.value(families, "weir_job_up", Map.of("status", "RUNNING")))
        .isEqualTo(1);
  }

  @Test
  void metricsFollowTheJobAsItChanges() throws Exception {
    job.set(new JobOverview("page-views", JobStatus.RESTARTING, 2, 2, null, null));

    Map<String, PrometheusText.Family> families = PrometheusText.parse(get("/metrics").body());

    assertThat(PrometheusText.value(families, "weir_job_restarts", Map.of())).isEqualTo(2);
    assertThat(PrometheusText.value(families, "weir_job_up", Map.of("status", "RUNNING"))).isZero();
    assertThat(PrometheusText.value(families, "weir_job_up", Map.of("status", "RESTARTING")))
        .isEqualTo(1);
  }

  @Test
  void healthzIsOkWhileHealthyAnd503WithTheReasonOtherwise() throws Exception {
    HttpResponse<String> healthy = get("/healthz");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(healthy.body()).isEqualTo("ok\n");

    health.set(Health.unhealthy("job FAILED: restart strategy gave up"));
    HttpResponse<String> unhealthy = get("/healthz");
    assertThat(unhealthy.statusCode()).isEqualTo(503);
    assertThat(unhealthy.body()).isEqualTo("job FAILED: restart strategy gave up\n");
  }

  @Test
  void healthzIs503WhenTheHealthCheckItselfFails() throws Exception {
    health.set(null);
    assertThat(get("/healthz").statusCode()).isEqualTo(503);

    try (CoordinatorHttpServer throwing =
        CoordinatorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            tracker::snapshot,
            job::get,
            () -> {
              throw new IllegalStateException("store unreachable");
            },
            CredentialRedaction.of(List.of()))) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(throwing.uri().resolve("/healthz")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).contains("store unreachable");
    }
  }

  @Test
  void credentialsAppearOnNoEndpoint() throws Exception {
    tracker.triggered(
        6, StatsFixtures.triggerTime(6), false, SnapshotType.CHECKPOINT, StatsFixtures.ALL_TASKS);
    tracker.failed(
        6,
        StatsFixtures.triggerTime(6) + 1,
        CheckpointFailureReason.FINALIZE_FAILED,
        "upload with key " + SECRET + " to https://user:pw@minio/b?X-Amz-Signature=0a1b2c");
    health.set(Health.unhealthy("storage refused key " + SECRET));

    for (String path : List.of("/", "/healthz", "/api/v1/checkpoints", "/api/v1/job", "/metrics")) {
      String body = get(path).body();
      assertThat(body)
          .as(path)
          .doesNotContain(SECRET)
          .doesNotContain("user:pw")
          .doesNotContain("0a1b2c");
    }
    assertThat(get("/api/v1/checkpoints").body())
        .contains("upload with key *** to https://***@minio/b?X-Amz-Signature=***");
  }

  @Test
  void theStatusPageIsSelfContainedHtml() throws Exception {
    HttpResponse<String> response = get("/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(response.headers().firstValue("Content-Security-Policy").orElseThrow())
        .startsWith("default-src 'none'");
    assertThat(response.body())
        .startsWith("<!DOCTYPE html>")
        .contains("<tr id=\"checkpoint-3\" class=\"checkpoint completed\">")
        .doesNotContain("<script")
        .doesNotContain("src=\"http")
        .doesNotContain("href=\"http");
  }

  @Test
  void unknownPathsAre404AndOtherMethods405() throws Exception {
    assertThat(get("/api/v1/nothing").statusCode()).isEqualTo(404);
    assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);

    HttpResponse<String> post = send("POST", "/api/v1/job");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void headAnswersLikeGetWithoutABody() throws Exception {
    HttpResponse<String> head = send("HEAD", "/api/v1/checkpoints");

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  @Test
  void aFailingSupplierGives500AndTheServerKeepsServing() throws Exception {
    try (CoordinatorHttpServer failing =
        CoordinatorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            () -> {
              throw new IllegalStateException("no snapshot");
            },
            job::get,
            health::get,
            CredentialRedaction.of(List.of()))) {
      HttpResponse<String> broken =
          client.send(
              HttpRequest.newBuilder(failing.uri().resolve("/api/v1/checkpoints")).build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> fine =
          client.send(
              HttpRequest.newBuilder(failing.uri().resolve("/api/v1/job")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(broken.statusCode()).isEqualTo(500);
      assertThat(broken.body()).isEqualTo("internal error\n");
      assertThat(fine.statusCode()).isEqualTo(200);
    }
  }
}
