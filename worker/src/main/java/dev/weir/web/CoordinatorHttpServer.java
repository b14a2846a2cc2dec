package dev.weir.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.weir.query.QueryableState;
import dev.weir.query.StateQueryResult;
import dev.weir.query.StateValue;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP endpoints, on the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /} — the status page ({@link StatusPage});
 *   <li>{@code GET /healthz} — 200 {@code ok} when healthy, else 503 with the reason;
 *   <li>{@code GET /api/v1/checkpoints} — {@link CheckpointStatsSnapshot} as JSON;
 *   <li>{@code GET /api/v1/job} — {@link JobOverview} as JSON;
 *   <li>{@code GET /metrics} — Prometheus text format ({@link PrometheusExposition});
 *   <li>{@code GET /api/v1/state/{operatorUid}/{stateName}?key=K} — one key's value of a keyed
 *       state ({@link QueryableState}), as JSON.
 * </ul>
 *
 * {@code HEAD} is answered like {@code GET} without a body; other methods get 405, other paths 404.
 * The paths and the JSON shapes are documented in docs/observability.md.
 *
 * <p>Threading: requests run on the server's own pool of two daemon threads; handlers only read the
 * immutable snapshots the suppliers return, so they share no mutable state with the coordinator.
 * The suppliers must be safe to call from those threads. A state query does not hold a thread while
 * it waits for the task owning the key: its answer is written from the same pool once it arrives.
 */
public final class CoordinatorHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorHttpServer.class);

  /** Every interface: a pod's port must be reachable from the cluster. */
  public static final String DEFAULT_BIND_HOST = "0.0.0.0";

  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String HTML = "text/html; charset=utf-8";
  // the page has no script and loads nothing: anything else a browser is asked to run is refused
  private static final String PAGE_POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
          + " form-action 'none'; frame-ancestors 'none'";
  private static final int THREADS = 2;
  private static final String STATE_PREFIX = "/api/v1/state/";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Supplier<CheckpointStatsSnapshot> checkpoints;
  private final Supplier<JobOverview> job;
  private final Supplier<Health> health;
  private final CredentialRedaction redaction;
  private final QueryableState states;
  private final ObjectMapper json = new ObjectMapper();

  private CoordinatorHttpServer(
      HttpServer server,
      ExecutorService executor,
      Supplier<CheckpointStatsSnapshot> checkpoints,
      Supplier<JobOverview> job,
      Supplier<Health> health,
      CredentialRedaction redaction,
      QueryableState states) {
    this.server = server;
    this.executor = executor;
    this.checkpoints = checkpoints;
    this.job = job;
    this.health = health;
    this.redaction = redaction;
    this.states = states;
  }

  /**
   * Binds and starts serving.
   *
   * @param bindAddress the interface and port; port 0 picks a free one (see {@link #port()})
   * @param checkpoints the current checkpoint statistics, e.g. {@link
   *     CheckpointStatsTracker#snapshot()}
   * @param job the current job overview
   * @param health whether the coordinator is healthy
   * @param redaction applied to health reasons and error messages before they are sent
   * @throws IOException when the address cannot be bound
   */
  public static CoordinatorHttpServer start(
      InetSocketAddress bindAddress,
      Supplier<CheckpointStatsSnapshot> checkpoints,
      Supplier<JobOverview> job,
      Supplier<Health> health,
      CredentialRedaction redaction)
      throws IOException {
    return start(bindAddress, checkpoints, job, health, redaction, QueryableState.unavailable());
  }

  /**
   * Binds and starts serving, state queries included.
   *
   * @param states answers {@code /api/v1/state/...}; its futures must complete (normally) within a
   *     bounded time, e.g. {@code JobRunner#queryState}
   * @throws IOException when the address cannot be bound
   */
  public static CoordinatorHttpServer start(
      InetSocketAddress bindAddress,
      Supplier<CheckpointStatsSnapshot> checkpoints,
      Supplier<JobOverview> job,
      Supplier<Health> health,
      CredentialRedaction redaction,
      QueryableState states)
      throws IOException {
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(redaction, "redaction");
    Objects.requireNonNull(states, "states");
    HttpServer server = HttpServer.create(bindAddress, 0);
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            THREADS,
            runnable -> {
              Thread thread = new Thread(runnable, "weir-http-" + threadNumber.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    CoordinatorHttpServer http =
        new CoordinatorHttpServer(server, executor, checkpoints, job, health, redaction, states);
    server.createContext("/", http::handle);
    server.setExecutor(executor);
    server.start();
    LOG.info("coordinator HTTP endpoints on {}", http.uri());
    return http;
  }

  /** The bound address (with the actual port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * The base URI, ending in '/'; a wildcard bind address is given as the loopback address, which it
   * includes.
   */
  public URI uri() {
    InetAddress address = server.getAddress().getAddress();
    String host =
        address.isAnyLocalAddress()
            ? InetAddress.getLoopbackAddress().getHostAddress()
            : address.getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /** Stops accepting requests and drops those in flight. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) {
    // a state query answers later, from another thread, and closes the exchange itself
    boolean answersLater = false;
    try {
      String method = exchange.getRequestMethod();
      boolean head = "HEAD".equals(method);
      if (!head && !"GET".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, false, 405, TEXT, "method not allowed\n");
        return;
      }
      String rawPath = exchange.getRequestURI().getRawPath();
      if (rawPath.startsWith(STATE_PREFIX)) {
        answersLater = startStateQuery(exchange, head, rawPath.substring(STATE_PREFIX.length()));
        return;
      }
      switch (exchange.getRequestURI().getPath()) {
        case "/" -> respondPage(exchange, head);
        case "/healthz" -> respondHealth(exchange, head);
        case "/api/v1/checkpoints" ->
            respond(exchange, head, 200, JSON, json.writeValueAsBytes(checkpoints.get()));
        case "/api/v1/job" -> respond(exchange, head, 200, JSON, json.writeValueAsBytes(job.get()));
        case "/metrics" -> respondMetrics(exchange, head);
        default -> respond(exchange, head, 404, TEXT, "not found\n");
      }
    } catch (Exception e) {
      LOG.warn(
          "serving {} {} failed: {}",
          exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(),
          redaction.redact(String.valueOf(e)));
      try {
        respond(exchange, false, 500, TEXT, "internal error\n");
      } catch (IOException | RuntimeException alreadyResponding) {
        // the status line was sent before the failure: closing the exchange is all that is left
      }
    } finally {
      if (!answersLater) {
        exchange.close();
      }
    }
  }

  /**
   * Parses {@code {operatorUid}/{stateName}?key=K} and asks for the value; answers malformed
   * requests at once.
   *
   * @return true when the answer is written later (and the exchange closed then)
   */
  private boolean startStateQuery(HttpExchange exchange, boolean head, String rawRest)
      throws IOException {
    String[] segments = rawRest.split("/", -1);
    String operator;
    String state;
    String key;
    try {
      if (segments.length != 2 || segments[0].isEmpty() || segments[1].isEmpty()) {
        respondJson(
            exchange,
            head,
            404,
            errorBody(
                null, null, null, "expected " + STATE_PREFIX + "{operatorUid}/{stateName}?key=K"));
        return false;
      }
      operator = decodePathSegment(segments[0]);
      state = decodePathSegment(segments[1]);
      key = queryParameter(exchange.getRequestURI().getRawQuery(), "key");
    } catch (IllegalArgumentException e) {
      respondJson(
          exchange, head, 400, errorBody(null, null, null, "malformed request: " + e.getMessage()));
      return false;
    }
    if (key == null) {
      respondJson(
          exchange,
          head,
          400,
          errorBody(operator, state, null, "the key is missing: give it as ?key=K"));
      return false;
    }
    CompletableFuture<StateQueryResult> answer;
    try {
      answer = states.query(operator, state, key);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenCompleteAsync(
        (result, error) -> {
          try {
            respondState(exchange, head, operator, state, key, result, error);
          } catch (IOException | RuntimeException e) {
            LOG.debug("answering a state query failed: {}", redaction.redact(String.valueOf(e)));
          } finally {
            exchange.close();
          }
        },
        executor);
    return true;
  }

  private void respondState(
      HttpExchange exchange,
      boolean head,
      String operator,
      String state,
      String key,
      StateQueryResult result,
      Throwable error)
      throws IOException {
    if (error != null || result == null) {
      String message = "state query failed: " + (error == null ? "no answer" : error);
      respondJson(exchange, head, 500, errorBody(operator, state, key, message));
      return;
    }
    if (result instanceof StateQueryResult.Rejected rejected) {
      int status =
          switch (rejected.reason()) {
            case UNKNOWN_OPERATOR, UNKNOWN_STATE -> 404;
            case INVALID_KEY -> 400;
            case UNAVAILABLE -> 503;
            case TIMED_OUT -> 504;
            case FAILED -> 500;
          };
      respondJson(exchange, head, status, errorBody(operator, state, key, rejected.message()));
      return;
    }
    ObjectNode body = identity(operator, state, key);
    if (result instanceof StateQueryResult.Found found) {
      body.put("found", true);
      body.set("value", render(found.value()));
    } else {
      body.put("found", false);
      body.putNull("value");
    }
    respondJson(exchange, head, 200, body);
  }

  private JsonNode render(StateValue value) {
    if (value instanceof StateValue.Elements elements) {
      ArrayNode array = json.createArrayNode();
      elements.values().forEach(array::add);
      return array;
    }
    if (value instanceof StateValue.Entries entries) {
      ObjectNode object = json.createObjectNode();
      entries.entries().forEach(object::put);
      return object;
    }
    return json.getNodeFactory().textNode(((StateValue.Scalar) value).text());
  }

  private ObjectNode identity(String operator, String state, String key) {
    ObjectNode body = json.createObjectNode();
    body.put("operator", operator);
    body.put("state", state);
    body.put("key", key);
    return body;
  }

  private ObjectNode errorBody(String operator, String state, String key, String message) {
    ObjectNode body = identity(operator, state, key);
    body.put("error", redaction.redact(message));
    return body;
  }

  private void respondJson(HttpExchange exchange, boolean head, int status, ObjectNode body)
      throws IOException {
    respond(exchange, head, status, JSON, json.writeValueAsBytes(body));
  }

  /** Percent-decodes one path segment; unlike a query string, '+' stays a plus. */
  private static String decodePathSegment(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The first value of {@code name} in a form-encoded query string, or null. */
  static String queryParameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String rawName = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(rawName, StandardCharsets.UTF_8).equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private void respondPage(HttpExchange exchange, boolean head) throws IOException {
    String page = StatusPage.render(checkpoints.get(), job.get());
    exchange.getResponseHeaders().set("Content-Security-Policy", PAGE_POLICY);
    exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    respond(exchange, head, 200, HTML, page);
  }

  private void respondHealth(HttpExchange exchange, boolean head) throws IOException {
    Health current;
    try {
      current = health.get();
    } catch (RuntimeException e) {
      current = Health.unhealthy("health check failed: " + e);
    }
    if (current != null && current.healthy()) {
      respond(exchange, head, 200, TEXT, "ok\n");
    } else {
      String reason = current == null ? "no health information" : current.reason();
      respond(exchange, head, 503, TEXT, redaction.redact(reason) + "\n");
    }
  }

  private void respondMetrics(HttpExchange exchange, boolean head) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(4_096);
    PrometheusExposition.write(body, checkpoints.get(), job.get());
    respond(exchange, head, 200, PrometheusExposition.CONTENT_TYPE, body.toByteArray());
  }

  private static void respond(
      HttpExchange exchange, boolean head, int status, String contentType, String body)
      throws IOException {
    respond(exchange, head, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(
      HttpExchange exchange, boolean head, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    if (head) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    // a length of 0 would mean "chunked" to the JDK server; -1 means no body
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}
