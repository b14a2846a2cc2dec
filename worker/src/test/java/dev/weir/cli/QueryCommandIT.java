package dev.weir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.query.StateQueryResult;
import dev.weir.query.StateValue;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import dev.weir.web.CoordinatorHttpServer;
import dev.weir.web.Health;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code weir-worker query} against a real HTTP endpoint whose answers are canned per key. */
class QueryCommandIT {
  private CoordinatorHttpServer server;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    server =
        CoordinatorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            () -> CheckpointStatsSnapshot.empty(CheckpointStatsTracker.DEFAULT_HISTORY_LIMIT),
            () -> null,
            Health::ok,
            CredentialRedaction.of(List.of()),
            (operator, state, key) ->
                CompletableFuture.completedFuture(
                    switch (key) {
                      case "7" -> new StateQueryResult.Found(new StateValue.Scalar("41"));
                      case "list" ->
                          new StateQueryResult.Found(new StateValue.Elements(List.of("a", "b")));
                      case "x" ->
                          new StateQueryResult.Rejected(
                              StateQueryResult.Reason.INVALID_KEY,
                              "operator 'count-per-app': 'x' is not an int key");
                      default -> new StateQueryResult.NotFound();
                    }));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private int query(String url, String key) {
    return new CommandLine(new WeirCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(
            "query", "--url", url, "--operator", "count-per-app", "--state", "views", "--key", key);
  }

  @Test
  void aFoundValueIsPrintedAloneWithExitCode0() {
    assertThat(query(server.uri().toString(), "7")).isZero();
    assertThat(out.toString()).isEqualTo("41" + System.lineSeparator());
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aListValueIsPrintedAsJson() {
    assertThat(query(server.uri().toString(), "list")).isZero();
    assertThat(out.toString().strip()).isEqualTo("[\"a\",\"b\"]");
  }

  @Test
  void aKeyWithoutValueIsNotFoundWithExitCode1() {
    assertThat(query(server.uri().toString(), "8")).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().strip()).isEqualTo("not found");
  }

  @Test
  void aRejectedQueryPrintsTheServersMessageWithExitCode2() {
    assertThat(query(server.uri().toString(), "x")).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo("operator 'count-per-app': 'x' is not an int key");
  }

  @Test
  void anUnreachableCoordinatorIsAnErrorWithExitCode2() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    assertThat(query("http://127.0.0.1:" + freePort, "7")).isEqualTo(2);
    assertThat(err.toString()).startsWith("cannot query http://127.0.0.1:" + freePort);
  }
}
