package dev.weir.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weir.testbed.FreePort;
import dev.weir.testbed.MinioServer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The storage contract and S3 failure behaviour against a real MinIO server. */
class S3StorageIT extends CheckpointStorageContract {
  private static MinioServer minio;

  @BeforeAll
  static void startMinio() {
    minio = MinioServer.start();
  }

  @AfterAll
  static void stopMinio() {
    if (minio != null) {
      minio.close();
    }
  }

  @Override
  protected CheckpointStorage createStorage() {
    // every test gets its own prefix of the shared bucket
    return storageAt(minio, "it-" + UUID.randomUUID(), Duration.ofSeconds(5));
  }

  private static S3Storage storageAt(MinioServer server, String prefix, Duration retryTimeout) {
    return S3Storage.builder()
        .endpoint(server.endpoint())
        .bucket(server.bucket())
        .prefix(prefix)
        .credentials(server.accessKey(), server.secretKey())
        .retryTimeout(retryTimeout)
        .build();
  }

  @Test
  void mapsPathsToKeysUnderThePrefix() throws Exception {
    S3Storage s3 = (S3Storage) storage;
    storage.write("job/chk-3/_metadata", new byte[] {1});

    assertThat(s3.describe("job/chk-3/_metadata"))
        .isEqualTo("s3://weir/" + s3.prefix() + "/job/chk-3/_metadata");
    assertThat(
            minio
                .client()
                .statObject(
                    io.minio.StatObjectArgs.builder()
                        .bucket("weir")
                        .object(s3.prefix() + "/job/chk-3/_metadata")
                        .build())
                .size())
        .isEqualTo(1);
  }

  @Test
  void keepsPrefixesThatShareABeginningApart() throws Exception {
    String base = "apart-" + UUID.randomUUID();
    try (S3Storage x = storageAt(minio, base + "/x", Duration.ofSeconds(5));
        S3Storage x2 = storageAt(minio, base + "/x2", Duration.ofSeconds(5))) {
      x.write("a", new byte[] {1});
      x2.write("a", new byte[] {2});

      x.deleteAll("");

      assertThat(x.list("")).isEmpty();
      assertThat(x2.list("")).containsExactly("a");
    }
  }

  @Test
  void failsWithinTheRetryTimeoutWhenNothingListens() {
    String endpoint = "http://127.0.0.1:" + FreePort.pick();
    try (S3Storage unreachable =
        S3Storage.builder()
            .endpoint(endpoint)
            .bucket("weir")
            .prefix("job")
            .credentials("access-key-1234", "secret-key-5678")
            .retryTimeout(Duration.ofSeconds(2))
            .build()) {
      long start = System.nanoTime();

      assertThatThrownBy(() -> unreachable.read("chk-3/_metadata"))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isFalse())
          .hasMessageStartingWith("s3://weir/job/chk-3/_metadata at " + endpoint + ": ")
          .hasMessageContaining("connection refused")
          .hasMessageContaining("attempts")
          .hasMessageNotContaining("secret-key-5678")
          .hasMessageNotContaining("access-key-1234");

      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      assertThat(elapsed).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
    }
  }

  @Test
  void failsWhileMinioIsDownAndRecoversAfterRestart() throws Exception {
    try (MinioServer own = MinioServer.start();
        S3Storage s3 = storageAt(own, "outage", Duration.ofSeconds(2))) {
      s3.write("job/chk-1/_metadata", "before".getBytes(UTF_8));

      own.kill();
      assertThatThrownBy(() -> s3.write("job/chk-2/_metadata", new byte[] {2}))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(own.endpoint())
          .hasMessageContaining("s3://weir/outage/job/chk-2/_metadata");
      assertThatThrownBy(() -> s3.list("job/"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(own.endpoint());

      own.restart();
      s3.write("job/chk-2/_metadata", "after".getBytes(UTF_8));
      assertThat(s3.read("job/chk-1/_metadata")).asString(UTF_8).isEqualTo("before");
      assertThat(s3.list("job/")).containsExactly("job/chk-1/_metadata", "job/chk-2/_metadata");
    }
  }

  @Test
  void ridesOutAnOutageShorterThanTheRetryTimeout() throws Exception {
    try (MinioServer own = MinioServer.start();
        S3Storage s3 = storageAt(own, "short-outage", Duration.ofSeconds(60))) {
      own.kill();
      CompletableFuture<Void> write =
          CompletableFuture.runAsync(
              () -> {
                try {
                  s3.write("job/chk-1/_metadata", "patient".getBytes(UTF_8));
                } catch (StorageException e) {
                  throw new IllegalStateException(e);
                }
              });

      own.restart();

      await().atMost(Duration.ofSeconds(30)).until(write::isDone);
      assertThat(write).isCompletedWithValue(null);
      assertThat(s3.read("job/chk-1/_metadata")).asString(UTF_8).isEqualTo("patient");
    }
  }

  @Test
  void reportsAMissingBucketClearlyAndAtOnce() {
    try (S3Storage s3 =
        S3Storage.builder()
            .endpoint(minio.endpoint())
            .bucket("no-such-bucket")
            .prefix("p")
            .credentials(minio.accessKey(), minio.secretKey())
            .build()) {
      long start = System.nanoTime();

      assertThatThrownBy(s3::checkReachable)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("s3://no-such-bucket/p at " + minio.endpoint())
          .hasMessageContaining("bucket 'no-such-bucket' does not exist");
      assertThatThrownBy(() -> s3.read("a"))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isFalse())
          .hasMessageContaining("does not exist");

      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("not retried")
          .isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void rejectsWrongCredentialsWithoutShowingThem() {
    String wrongSecret = "wrong-secret-" + UUID.randomUUID();
    try (S3Storage s3 =
        S3Storage.builder()
            .endpoint(minio.endpoint())
            .bucket(minio.bucket())
            .credentials(minio.accessKey(), wrongSecret)
            .build()) {

      assertThatThrownBy(() -> s3.write("a", new byte[] {1}))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("s3://weir/a at " + minio.endpoint())
          .hasMessageContaining("SignatureDoesNotMatch")
          .hasMessageNotContaining(wrongSecret)
          .hasMessageNotContaining(minio.accessKey());
      assertThatThrownBy(s3::checkReachable)
          .isInstanceOf(StorageException.class)
          .hasMessageNotContaining(wrongSecret);
    }
  }

  @Test
  void probesAndOpensAParsedLocation() throws Exception {
    Map<String, String> env =
        Map.of("WEIR_S3_ACCESS_KEY", minio.accessKey(), "WEIR_S3_SECRET_KEY", minio.secretKey());
    StorageLocation location =
        StorageLocation.parse("s3://weir/parsed/" + UUID.randomUUID(), minio.endpoint(), env::get);

    location.probe();
    try (CheckpointStorage opened = location.open()) {
      opened.write("x", "y".getBytes(UTF_8));
      assertThat(opened.read("x")).asString(UTF_8).isEqualTo("y");
      assertThat(opened.describe()).isEqualTo(location.describe());
    }

    StorageLocation missingBucket =
        StorageLocation.parse("s3://missing-bucket/p", minio.endpoint(), env::get);
    assertThatThrownBy(missingBucket::probe)
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("bucket 'missing-bucket' does not exist");
  }
}
