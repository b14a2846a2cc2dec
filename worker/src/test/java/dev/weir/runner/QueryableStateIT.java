package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.cli.WeirCommand;
import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.runtime.JobStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Queryable state of a running PageViewCount ({@code count-per-app} keeps the views of each app in
 * the value state {@code views}, keyed by an int app id): over HTTP with the tasks in this process,
 * and over HTTP and the {@code query} command with the tasks in worker processes, where the
 * coordinator routes each query over the control stream to the worker owning the key.
 */
class QueryableStateIT {
  private static final long EVENTS = 400_000;
  private static final int KEYS = 8;
  private static final String OPERATOR = "count-per-app";
  private static final String STATE = "views";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** A slow enough run (about 40 s at 10,000 events/s) that it is queried while it runs. */
  private static PageViewCountRun job(Path dir) {
    PageViewCountRun job = new PageViewCountRun(EVENTS, KEYS);
    job.rate = 5_000; // per source subtask
    job.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";
    job.output = dir.resolve("output").toString();
    return job;
  }

  private record Answer(int status, JsonNode body) {
    long views() {
      assertThat(status).as("status of %s", body).isEqualTo(200);
      assertThat(body.get("found").asBoolean()).as("found in %s", body).isTrue();
      return Long.parseLong(body.get("value").asText());
    }
  }

  private static Answer get(URI http, String operator, String state, String key) throws Exception {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(
                    http.resolve("api/v1/state/" + operator + "/" + state + "?key=" + key))
                .timeout(Duration.ofSeconds(15))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), new ObjectMapper().readTree(response.body()));
  }

  private static long viewsOrZero(URI http, int app) throws Exception {
    Answer answer = get(http, OPERATOR, STATE, String.valueOf(app));
    return answer.status() == 200 && answer.body().get("found").asBoolean() ? answer.views() : 0;
  }

  /** What every run must answer while it runs, then after it was cancelled. */
  private static void assertQueriesOfARunningJob(JobRunner runner, URI http) throws Exception {
    // each app is owned by one of the two subtasks: every one must be found where it lives
    for (int app = 0; app < KEYS; app++) {
      int key = app;
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> viewsOrZero(http, key) > 0);
    }
    for (int app = 0; app < KEYS; app++) {
      assertThat(get(http, OPERATOR, STATE, String.valueOf(app)).views())
          .as("views of app %d", app)
          .isBetween(1L, EVENTS / KEYS);
    }
    long earlier = get(http, OPERATOR, STATE, "3").views();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> get(http, OPERATOR, STATE, "3").views() > earlier);
    assertThat(runner.jobMaster().status()).isEqualTo(JobStatus.RUNNING);

    Answer absent = get(http, OPERATOR, STATE, "1000");
    assertThat(absent.status()).isEqualTo(200);
    assertThat(absent.body().get("found").asBoolean()).isFalse();

    Answer unknownState = get(http, OPERATOR, "clicks", "3");
    assertThat(unknownState.status()).isEqualTo(404);
    assertThat(unknownState.body().get("error").asText())
        .isEqualTo(
            "operator 'count-per-app' has no keyed state named 'clicks'; its keyed states: views");

    Answer unknownOperator = get(http, "count", STATE, "3");
    assertThat(unknownOperator.status()).isEqualTo(404);
    assertThat(unknownOperator.body().get("error").asText())
        .isEqualTo("the job has no operator 'count'; operators with keyed state: count-per-app");

    Answer badKey = get(http, OPERATOR, STATE, "app-3");
    assertThat(badKey.status()).isEqualTo(400);
    assertThat(badKey.body().get("error").asText()).contains("'app-3' is not an int key");
  }

  private static void assertUnavailableOnceCancelled(JobRunner runner, URI http) throws Exception {
    runner.cancel();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> runner.jobMaster().status() == JobStatus.CANCELLED);
    Answer stopped = get(http, OPERATOR, STATE, "3");
    assertThat(stopped.status()).isEqualTo(503);
    assertThat(stopped.body().get("error").asText()).contains("CANCELLED");
  }

  @ParameterizedTest(name = "{0} state")
  @ValueSource(strings = {"heap", "rocksdb"})
  void aRunningJobAnswersEachAppsViewsFromTheTaskThatOwnsIt(String backend, @TempDir Path dir)
      throws Exception {
    PageViewCountRun job = job(dir);
    job.backend = backend;
    JobSpec spec = new ManifestValidator(System::getenv).validate(job.manifest(), "query-local");
    try (JobRunner runner = new JobRunner(spec, "query-local", dir.resolve("work"))) {
      URI http = runner.startHttp("127.0.0.1", 0);
      runner.start();

      assertQueriesOfARunningJob(runner, http);
      assertUnavailableOnceCancelled(runner, http);
    }
  }

  @Test
  void workersAnswerQueriesRoutedOverTheControlStreamAndTheQueryCommandPrintsTheValue(
      @TempDir Path dir) throws Exception {
    PageViewCountRun job = job(dir);
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(manifest, job.manifest());
    JobSpec spec = new ManifestValidator(System::getenv).validate(job.manifest(), "query-remote");
    JobRunner.Workers workers = new JobRunner.Workers.Remote("127.0.0.1", 0, Duration.ofSeconds(5));
    try (JobRunner runner = new JobRunner(spec, "query-remote", dir.resolve("work"), workers);
        WorkerProcesses processes =
            new WorkerProcesses(
                spec.parallelism(),
                manifest,
                "127.0.0.1:" + runner.controlPort(),
                "query-remote",
                dir)) {
      URI http = runner.startHttp("127.0.0.1", 0);
      runner.start();

      assertQueriesOfARunningJob(runner, http);

      Cli found = Cli.query(http, OPERATOR, STATE, "5");
      assertThat(found.exit()).as("%s", found).isZero();
      assertThat(Long.parseLong(found.out().strip())).isBetween(1L, EVENTS / KEYS);
      assertThat(found.err()).isEmpty();

      Cli absent = Cli.query(http, OPERATOR, STATE, "1000");
      assertThat(absent.exit()).as("%s", absent).isEqualTo(1);
      assertThat(absent.err().strip()).isEqualTo("not found");

      Cli unknownState = Cli.query(http, OPERATOR, "clicks", "5");
      assertThat(unknownState.exit()).as("%s", unknownState).isEqualTo(2);
      assertThat(unknownState.err()).contains("its keyed states: views");

      assertThat(processes.restarts()).as("no worker died").isZero();
      assertUnavailableOnceCancelled(runner, http);
    }
  }

  /** One run of {@code weir-worker query} in this process, its output captured. */
  private record Cli(int exit, String out, String err) {
    static Cli query(URI http, String operator, String state, String key) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          new CommandLine(new WeirCommand())
              .setOut(new PrintWriter(out, true))
              .setErr(new PrintWriter(err, true))
              .execute(
                  "query",
                  "--url",
                  http.toString(),
                  "--operator",
                  operator,
                  "--state",
                  state,
                  "--key",
                  key);
      return new Cli(exit, out.toString(), err.toString());
    }
  }
}
