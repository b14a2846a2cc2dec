package dev.weir.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link S3Storage} retries, against a scripted HTTP server on loopback that answers the way an
 * overloaded or failing S3 service does.
 */
class S3StorageRetryTest {
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void retriesSlowDownUntilTheServerRecovers() throws Exception {
    serve(n -> n <= 3 ? Reply.error(503, "SlowDown") : Reply.ok("payload"));

    try (S3Storage storage = storage(Duration.ofSeconds(10))) {
      assertThat(storage.read("job/chk-1/_metadata")).asString(UTF_8).isEqualTo("payload");
    }
    assertThat(requests).hasValue(4);
  }

  @Test
  void retriesInternalErrors() throws Exception {
    serve(n -> n == 1 ? Reply.error(500, "InternalError") : Reply.ok("payload"));

    try (S3Storage storage = storage(Duration.ofSeconds(10))) {
      assertThat(storage.read("a")).asString(UTF_8).isEqualTo("payload");
    }
    assertThat(requests).hasValue(2);
  }

  @Test
  void givesUpOnAPersistentServerErrorAfterTheRetryTimeout() throws Exception {
    serve(n -> Reply.error(503, "SlowDown"));

    try (S3Storage storage = storage(Duration.ofSeconds(1))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> storage.read("job/chk-3/_metadata"))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isFalse())
          .hasMessageStartingWith("s3://weir/p/job/chk-3/_metadata at " + endpoint() + ": ")
          .hasMessageContaining("SlowDown")
          .hasMessageContaining("gave up after");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(requests.get()).isGreaterThan(2);
  }

  @Test
  void doesNotRetryAMissingKey() throws Exception {
    serve(n -> Reply.error(404, "NoSuchKey"));

    try (S3Storage storage = storage(Duration.ofSeconds(10))) {
      assertThatThrownBy(() -> storage.read("a"))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isTrue())
          .hasMessage("s3://weir/p/a at " + endpoint() + ": no such object");
    }
    assertThat(requests).hasValue(1);
  }

  @Test
  void doesNotRetryRejectedCredentials() throws Exception {
    serve(n -> Reply.error(403, "InvalidAccessKeyId"));

    try (S3Storage storage = storage(Duration.ofSeconds(10))) {
      assertThatThrownBy(() -> storage.read("a"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("InvalidAccessKeyId")
          .hasMessageContaining("check the access key")
          .hasMessageNotContaining("test-secret-key");
    }
    assertThat(requests).hasValue(1);
  }

  @Test
  void doesNotRetryWhenTheTimeoutIsZero() throws Exception {
    serve(n -> Reply.error(503, "SlowDown"));

    try (S3Storage storage = storage(Duration.ZERO)) {
      assertThatThrownBy(() -> storage.read("a"))
          .isInstanceOf(StorageException.class)
          .hasMessageNotContaining("gave up after");
    }
    assertThat(requests).hasValue(1);
  }

  private S3Storage storage(Duration retryTimeout) {
    return S3Storage.builder()
        .endpoint(endpoint())
        .bucket("weir")
        .prefix("p")
        .credentials("test-access-key", "test-secret-key")
        .retryTimeout(retryTimeout)
        .build();
  }

  private String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void serve(IntFunction<Reply> script) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            script.apply(requests.incrementAndGet()).send(exchange);
          }
        });
    server.start();
  }

  /** One scripted HTTP answer. */
  private record Reply(int status, String contentType, String body) {
    static Reply ok(String body) {
      return new Reply(200, "application/octet-stream", body);
    }

    static Reply error(int status, String code) {
      return new Reply(
          status,
          "application/xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
              + code
              + "</Code><Message>scripted "
              + code
              + "</Message><BucketName>weir</BucketName><Resource>/weir/p</Resource>"
              + "<RequestId>1</RequestId><HostId>h</HostId></Error>");
    }

    void send(HttpExchange exchange) throws IOException {
      byte[] bytes = body.getBytes(UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
