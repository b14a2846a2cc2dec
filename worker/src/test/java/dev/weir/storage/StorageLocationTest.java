package dev.weir.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageLocationTest {
  private static final String SECRET = "s3cr3t-value-that-must-not-leak";
  private static final Function<String, String> WEIR_ENV =
      Map.of("WEIR_S3_ACCESS_KEY", "weir-access", "WEIR_S3_SECRET_KEY", SECRET)::get;

  @Test
  void parsesAPlainPathAsALocalDirectory() {
    StorageLocation location = StorageLocation.parse("/var/weir/checkpoints", null, WEIR_ENV);

    assertThat(location)
        .isEqualTo(new StorageLocation.LocalDirectory(Path.of("/var/weir/checkpoints")));
    assertThat(location.describe()).isEqualTo("/var/weir/checkpoints");
  }

  @Test
  void resolvesARelativePathAgainstTheWorkingDirectory() {
    StorageLocation location = StorageLocation.parse("data/chk", null, name -> null);

    assertThat(((StorageLocation.LocalDirectory) location).directory())
        .isEqualTo(Path.of("data/chk").toAbsolutePath());
  }

  @Test
  void parsesAFileUriAsALocalDirectory() {
    assertThat(StorageLocation.parse("file:///tmp/weir", "http://ignored:9000", name -> null))
        .isEqualTo(new StorageLocation.LocalDirectory(Path.of("/tmp/weir")));
  }

  @Test
  void rejectsAFileUriWithAHostOrRelativePath() {
    assertThatThrownBy(() -> StorageLocation.parse("file://host/dir", null, name -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("file:///");
    assertThatThrownBy(() -> StorageLocation.parse("file:relative", null, name -> null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void opensALocalDirectoryAndProbesIt(@TempDir Path dir) throws Exception {
    StorageLocation location =
        StorageLocation.parse(dir.resolve("chk").toString(), null, name -> null);

    location.probe();
    assertThat(dir.resolve("chk")).isDirectory();
    try (CheckpointStorage storage = location.open()) {
      assertThat(storage).isInstanceOf(LocalDirectoryStorage.class);
      assertThat(storage.describe()).isEqualTo(dir.resolve("chk").toString());
    }
  }

  @Test
  void parsesAnS3BucketAndPrefix() {
    StorageLocation location =
        StorageLocation.parse("s3://weir/jobs/page-views/", "http://minio:9000/", WEIR_ENV);

    assertThat(location).isInstanceOf(StorageLocation.S3Bucket.class);
    StorageLocation.S3Bucket s3 = (StorageLocation.S3Bucket) location;
    assertThat(s3.bucket()).isEqualTo("weir");
    assertThat(s3.prefix()).isEqualTo("jobs/page-views");
    assertThat(s3.endpoint()).isEqualTo("http://minio:9000");
    assertThat(s3.region()).isEqualTo("us-east-1");
    assertThat(s3.retryTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s3.credentials()).isEqualTo(new S3Credentials("weir-access", SECRET));
    assertThat(s3.describe()).isEqualTo("s3://weir/jobs/page-views");
  }

  @Test
  void parsesAnS3BucketWithoutPrefix() {
    StorageLocation.S3Bucket s3 =
        (StorageLocation.S3Bucket)
            StorageLocation.parse("s3://weir", "https://s3.example.com", WEIR_ENV);

    assertThat(s3.prefix()).isEmpty();
    assertThat(s3.describe()).isEqualTo("s3://weir");
  }

  @Test
  void opensAnS3StorageWithoutSendingARequest() {
    StorageLocation.S3Bucket location =
        ((StorageLocation.S3Bucket)
                StorageLocation.parse("s3://weir/p", "http://127.0.0.1:1", WEIR_ENV))
            .withRegion("eu-west-1")
            .withRetryTimeout(Duration.ofSeconds(3));

    try (CheckpointStorage storage = location.open()) {
      assertThat(storage).isInstanceOf(S3Storage.class);
      assertThat(storage.describe()).isEqualTo("s3://weir/p");
    }
    assertThat(location.region()).isEqualTo("eu-west-1");
    assertThat(location.retryTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void requiresAnEndpointForS3() {
    assertThatThrownBy(() -> StorageLocation.parse("s3://weir/p", null, WEIR_ENV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://weir/p")
        .hasMessageContaining("endpoint");
    assertThatThrownBy(() -> StorageLocation.parse("s3://weir/p", " ", WEIR_ENV))
        .hasMessageContaining("endpoint");
  }

  @Test
  void rejectsAMalformedEndpoint() {
    assertThatThrownBy(() -> StorageLocation.parse("s3://weir/p", "minio:9000", WEIR_ENV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minio:9000");
    assertThatThrownBy(() -> StorageLocation.parse("s3://weir/p", "http://minio/path", WEIR_ENV))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesTheMissingCredentialsWithoutShowingAnyValue() {
    assertThatThrownBy(() -> StorageLocation.parse("s3://weir/p", "http://minio:9000", n -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://weir/p")
        .hasMessageContaining("WEIR_S3_ACCESS_KEY")
        .hasMessageContaining("WEIR_S3_SECRET_KEY")
        .hasMessageContaining("AWS_ACCESS_KEY_ID");

    Function<String, String> secretOnly = Map.of("WEIR_S3_SECRET_KEY", SECRET)::get;
    assertThatThrownBy(() -> StorageLocation.parse("s3://weir/p", "http://minio:9000", secretOnly))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WEIR_S3_ACCESS_KEY is not")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void rejectsMalformedS3Locations() {
    for (String bad : new String[] {"s3://", "s3:///prefix", "s3://UPPER/p", "s3://a/p"}) {
      assertThatThrownBy(() -> StorageLocation.parse(bad, "http://minio:9000", WEIR_ENV))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> StorageLocation.parse("s3://weir/a/../b", "http://m:1", WEIR_ENV))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsUnknownSchemesAndEmptyLocations() {
    assertThatThrownBy(() -> StorageLocation.parse("gs://bucket/p", null, WEIR_ENV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gs://bucket/p")
        .hasMessageContaining("s3://bucket/prefix");
    assertThatThrownBy(() -> StorageLocation.parse(" ", null, WEIR_ENV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void showsNoCredentialInToString() {
    StorageLocation location = StorageLocation.parse("s3://weir/p", "http://minio:9000", WEIR_ENV);

    assertThat(location.toString())
        .contains("s3://weir/p", "http://minio:9000")
        .doesNotContain(SECRET)
        .doesNotContain("weir-access");
    try (CheckpointStorage storage = location.open()) {
      assertThat(storage.toString()).doesNotContain(SECRET).doesNotContain("weir-access");
    }
  }
}
