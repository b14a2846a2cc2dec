package dev.weir.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.query.QueryableState;
import dev.weir.query.StateQueryResult;
import dev.weir.query.StateValue;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/state/{operatorUid}/{stateName}?key=K} over a real socket, against a fake
 * {@link QueryableState}: how answers become statuses and JSON, and how the path is decoded.
 */
class StateQueryEndpointIT {
  private static final String SECRET = "s3cr3t-value";
  private final HttpClient client =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final AtomicReference<List<String>> lastQuery = new AtomicReference<>();
  private CoordinatorHttpServer server;

  /** Answers by key, so that each test picks its answer. */
  private CompletableFuture<StateQueryResult> answer(String operator, String state, String key) {
    lastQuery.set(List.of(operator, state, key));
    StateQueryResult result =
        switch (key) {
          case "scalar" -> new StateQueryResult.Found(new StateValue.Scalar("41"));
          case "list" -> new StateQueryResult.Found(new StateValue.Elements(List.of("a", "b")));
          case "map" -> new StateQueryResult.Found(new StateValue.Entries(Map.of("/home", "3")));
          case "unknown-state" ->
              new StateQueryResult.Rejected(
                  StateQueryResult.Reason.UNKNOWN_STATE,
                  "operator 'op' has no keyed state named 'x'; its keyed states: views");
          case "unknown-operator" ->
              new StateQueryResult.Rejected(StateQueryResult.Reason.UNKNOWN_OPERATOR, "no op");
          case "bad" -> new StateQueryResult.Rejected(StateQueryResult.Reason.INVALID_KEY, "bad");
          case "stopped" ->
              new StateQueryResult.Rejected(StateQueryResult.Reason.UNAVAILABLE, "not running");
          case "slow" ->
              new StateQueryResult.Rejected(StateQueryResult.Reason.TIMED_OUT, "no answer in 5 s");
          case "broken" ->
              new StateQueryResult.Rejected(
                  StateQueryResult.Reason.FAILED, "cannot read with password " + SECRET);
          default -> new StateQueryResult.NotFound();
        };
    // answered from another thread, as a task's answer would be
    return CompletableFuture.supplyAsync(() -> result);
  }

  @BeforeEach
  void start() throws Exception {
    server =
        CoordinatorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            () -> CheckpointStatsSnapshot.empty(CheckpointStatsTracker.DEFAULT_HISTORY_LIMIT),
            () -> null,
            Health::ok,
            CredentialRedaction.of(List.of(SECRET)),
            this::answer);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return client.send(
        HttpRequest.newBuilder(server.uri().resolve(pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    return new ObjectMapper().readTree(response.body());
  }

  @Test
  void aFoundValueIsServedWithTheQueryItAnswers() throws Exception {
    HttpResponse<String> response = get("/api/v1/state/count-per-app/views?key=scalar");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    "{\"operator\":\"count-per-app\",\"state\":\"views\",\"key\":\"scalar\","
                        + "\"found\":true,\"value\":\"41\"}"));
  }

  @Test
  void listStateIsAJsonListAndMapStateAJsonObject() throws Exception {
    assertThat(json(get("/api/v1/state/op/s?key=list")).get("value").toString())
        .isEqualTo("[\"a\",\"b\"]");
    assertThat(json(get("/api/v1/state/op/s?key=map")).get("value").toString())
        .isEqualTo("{\"/home\":\"3\"}");
  }

  @Test
  void aKeyWithoutValueIsAnsweredAsNotFoundNotAsAnError() throws Exception {
    HttpResponse<String> response = get("/api/v1/state/op/s?key=nobody");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("found").asBoolean()).isFalse();
    assertThat(json(response).get("value").isNull()).isTrue();
  }

  @Test
  void eachRejectionHasItsStatusAndMessage() throws Exception {
    Map<String, Integer> statuses =
        Map.of(
            "unknown-state", 404,
            "unknown-operator", 404,
            "bad", 400,
            "stopped", 503,
            "slow", 504,
            "broken", 500);
    for (var expected : statuses.entrySet()) {
      HttpResponse<String> response = get("/api/v1/state/op/s?key=" + expected.getKey());

      assertThat(response.statusCode()).as(expected.getKey()).isEqualTo(expected.getValue());
      assertThat(json(response).get("error").asText()).as(expected.getKey()).isNotBlank();
    }
    assertThat(json(get("/api/v1/state/op/x?key=unknown-state")).get("error").asText())
        .isEqualTo("operator 'op' has no keyed state named 'x'; its keyed states: views");
  }

  @Test
  void credentialsInAFailureMessageAreRedacted() throws Exception {
    HttpResponse<String> response = get("/api/v1/state/op/s?key=broken");

    assertThat(response.body()).doesNotContain(SECRET);
  }

  @Test
  void pathSegmentsAndTheKeyArePercentDecodedAndAPlusInThePathStaysAPlus() throws Exception {
    get("/api/v1/state/my%20op/a+b?key=x%2By%26z+w");

    assertThat(lastQuery.get()).containsExactly("my op", "a+b", "x+y&z w");
  }

  @Test
  void aMissingKeyIsABadRequest() throws Exception {
    HttpResponse<String> response = get("/api/v1/state/op/s");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).contains("?key=");
  }

  @Test
  void aPathWithoutOperatorAndStateIsNotFoundAndSaysWhatIsExpected() throws Exception {
    for (String path : List.of("/api/v1/state/op", "/api/v1/state/op/s/extra", "/api/v1/state/")) {
      HttpResponse<String> response = get(path + "?key=1");

      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(json(response).get("error").asText())
          .contains("/api/v1/state/{operatorUid}/{stateName}?key=K");
    }
  }

  @Test
  void headIsAnsweredWithoutABody() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(server.uri().resolve("/api/v1/state/op/s?key=scalar"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void aServerWithoutAJobAnswersEveryQueryAsUnavailable() throws Exception {
    try (CoordinatorHttpServer plain =
        CoordinatorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            () -> CheckpointStatsSnapshot.empty(CheckpointStatsTracker.DEFAULT_HISTORY_LIMIT),
            () -> null,
            Health::ok,
            CredentialRedaction.of(List.of()))) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(plain.uri().resolve("/api/v1/state/op/s?key=1")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(503);
    }
  }
}
