package dev.weir.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
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
 *   <li>{@code GET /metrics} — Prometheus text format ({@link PrometheusExposition}).
 * </ul>
 *
 * {@code HEAD} is answered like {@code GET} without a body; other methods get 405, other paths 404.
 * The paths and the JSON shapes are documented in docs/observability.md.
 *
 * <p>Threading: requests run on the server's own pool of two daemon threads; handlers only read the
 * immutable snapshots the suppliers return, so they share no mutable state with the coordinator.
 * The suppliers must be safe to call from those threads.
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

  private final HttpServer server;
  private final ExecutorService executor;
  private final Supplier<CheckpointStatsSnapshot> checkpoints;
  private final Supplier<JobOverview> job;
  private final Supplier<Health> health;
  private final CredentialRedaction redaction;
  private final ObjectMapper json = new ObjectMapper();

  private CoordinatorHttpServer(
      HttpServer server,
      ExecutorService executor,
      Supplier<CheckpointStatsSnapshot> checkpoints,
      Supplier<JobOverview> job,
      Supplier<Health> health,
      CredentialRedaction redaction) {
    this.server = server;
    this.executor = executor;
    this.checkpoints = checkpoints;
    this.job = job;
    this.health = health;
    this.redaction = redaction;
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
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(redaction, "redaction");
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
        new CoordinatorHttpServer(server, executor, checkpoints, job, health, redaction);
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
    try {
      String method = exchange.getRequestMethod();
      boolean head = "HEAD".equals(method);
      if (!head && !"GET".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, false, 405, TEXT, "method not allowed\n");
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
      exchange.close();
    }
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
