package dev.weir.testbed;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real MinIO server on a free loopback port with its own data directory, credentials and one
 * bucket. {@link #kill()} and {@link #restart()} keep port and data, so a test can simulate an
 * outage of the checkpoint storage.
 */
public final class MinioServer implements AutoCloseable {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final ScratchDirectory dataDir;
  private final int port;
  private final int consolePort;
  private final String accessKey;
  private final String secretKey;
  private final String bucket;
  private final ServerProcess process;

  private MinioServer(String bucket, String accessKey, String secretKey) {
    this.dataDir = ScratchDirectory.create("weir-minio-");
    this.port = FreePort.pick();
    this.consolePort = FreePort.pick();
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.bucket = bucket;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(endpoint() + "/minio/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    this.process =
        new ServerProcess(
            "minio",
            List.of(
                Testbed.binary("minio").toString(),
                "server",
                dataDir.path().toString(),
                "--quiet",
                "--address",
                "127.0.0.1:" + port,
                "--console-address",
                "127.0.0.1:" + consolePort),
            Map.of(
                "MINIO_ROOT_USER",
                accessKey,
                "MINIO_ROOT_PASSWORD",
                secretKey,
                "MINIO_BROWSER",
                "off",
                "MINIO_UPDATE",
                "off"),
            dataDir.path().resolveSibling(dataDir.path().getFileName() + ".log"),
            STARTUP_TIMEOUT,
            () -> http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
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
    MinioServer server = new MinioServer(bucket, accessKey, secretKey);
    try {
      server.process.start();
      MinioClient client = server.client();
      if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
      }
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    } catch (Exception e) {
      server.close();
      throw new IllegalStateException("cannot create bucket " + bucket + " on MinIO", e);
    }
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
    return dataDir.path();
  }

  public MinioClient client() {
    return MinioClient.builder().endpoint(endpoint()).credentials(accessKey, secretKey).build();
  }

  /** SIGKILLs the server: the storage becomes unreachable, its data stays. */
  public void kill() {
    process.kill();
  }

  /** Starts the server again on the same port with the same data. */
  public void restart() {
    process.start();
  }

  @Override
  public void close() {
    process.close();
    dataDir.close();
  }
}
