package dev.weir.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The operator's HTTP endpoint: {@code /metrics} (Prometheus text format: JOSDK's reconciliation
 * metrics and {@code weir_operator_*}) and {@code /healthz}. Served by the JDK's HTTP server on its
 * own thread.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer http;

  private MetricsEndpoint(HttpServer http) {
    this.http = http;
  }

  /**
   * @param port 0 picks a free port (see {@link #port()})
   */
  public static MetricsEndpoint start(String host, int port, PrometheusMeterRegistry registry) {
    HttpServer http;
    try {
      http =
          HttpServer.create(
              host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve /metrics on port " + port, e);
    }
    http.createContext("/metrics", exchange -> respond(exchange, registry.scrape()));
    http.createContext("/healthz", exchange -> respond(exchange, "ok\n"));
    http.start();
    return new MetricsEndpoint(http);
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
