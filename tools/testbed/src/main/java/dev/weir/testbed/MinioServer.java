package dev.weir.testbed;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real MinIO server on a free loopback port with its own data directory, credentials and one
 * bucket. {@link #kill()} and {@link #restart()} keep port and data, so a test can simulate an
 * outage of the checkpoint storage.
 */
public final class MinioServer implements AutoCloseable {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int port;
  private final int consolePort;
  private final String accessKey;
  private final String secretKey;
  private final String bucket;
  private Process process;

  private MinioServer(Path dataDir, String bucket, String accessKey, String secretKey) {
    this.dataDir = dataDir;
    this.port = FreePort.pick();
    this.consolePort = FreePort.pick();
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.bucket = bucket;
  }

  /** Starts a server with a bucket named {@code weir}. */
  public static MinioServer start() {
    return start("weir");
  }

  /** Starts a server with random credentials and the given bucket. */
  public static MinioServer start(String bucket) {
    return start(
        bucket,
        "weir-" + UUID.randomUUID().toString().substring(0, 8),
        UUID.randomUUID().toString());
  }

  /**
   * Starts a server with the given credentials, for code under test that reads them from its
   * environment (the test runner sets the same values there).
   */
  public static MinioServer start(String bucket, String accessKey, String secretKey) {
    try {
      MinioServer server =
          new MinioServer(Files.createTempDirectory("weir-minio-"), bucket, accessKey, secretKey);
      server.launch();
      MinioClient client = server.client();
      if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create bucket " + bucket + " on MinIO", e);
    }
  }

  private synchronized void launch() {
    ProcessBuilder builder =
        new ProcessBuilder(
            List.of(
                Testbed.binary("minio").toString(),
                "server",
                dataDir.toString(),
                "--quiet",
                "--address",
                "127.0.0.1:" + port,
                "--console-address",
                "127.0.0.1:" + consolePort));
    builder.environment().put("MINIO_ROOT_USER", accessKey);
    builder.environment().put("MINIO_ROOT_PASSWORD", secretKey);
    builder.environment().put("MINIO_BROWSER", "off");
    builder.environment().put("MINIO_UPDATE", "off");
    builder.redirectErrorStream(true);
    builder.redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile());
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start minio", e);
    }
    awaitReady();
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(endpoint() + "/minio/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("minio exited with " + process.exitValue() + "; see log");
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("minio not ready after " + STARTUP_TIMEOUT);
  }

  /** {@code http://127.0.0.1:PORT} */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  public String bucket() {
    return bucket;
  }

  public Path dataDir() {
    return dataDir;
  }

  public MinioClient client() {
    return MinioClient.builder().endpoint(endpoint()).credentials(accessKey, secretKey).build();
  }

  /** SIGKILLs the server: the storage becomes unreachable, its data stays. */
  public synchronized void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the server again on the same port with the same data. */
  public synchronized void restart() {
    kill();
    launch();
  }

  @Override
  public synchronized void close() {
    kill();
    deleteRecursively(dataDir);
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
