package dev.weir.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration of {@link S3Storage}; no server is contacted (see S3StorageIT for that). */
class S3StorageTest {

  @Test
  void normalisesEndpointAndPrefix() {
    try (S3Storage storage =
        S3Storage.builder()
            .endpoint("http://127.0.0.1:9000/")
            .bucket("weir")
            .prefix("/jobs/a/")
            .credentials("access-key", "secret-key")
            .build()) {
      assertThat(storage.endpoint()).isEqualTo("http://127.0.0.1:9000");
      assertThat(storage.prefix()).isEqualTo("jobs/a");
      assertThat(storage.describe()).isEqualTo("s3://weir/jobs/a");
      assertThat(storage.describe("chk-1/_metadata")).isEqualTo("s3://weir/jobs/a/chk-1/_metadata");
    }
  }

  @Test
  void describesABucketWithoutPrefix() {
    try (S3Storage storage =
        S3Storage.builder()
            .endpoint("https://s3.example.com")
            .bucket("weir")
            .credentials("access-key", "secret-key")
            .build()) {
      assertThat(storage.describe("a")).isEqualTo("s3://weir/a");
    }
  }

  @Test
  void showsNoCredentialInToString() {
    try (S3Storage storage =
        S3Storage.builder()
            .endpoint("http://127.0.0.1:9000")
            .bucket("weir")
            .credentials("visible-access-key", "visible-secret-key")
            .build()) {
      assertThat(storage.toString())
          .contains("s3://weir", "http://127.0.0.1:9000")
          .doesNotContain("visible-access-key")
          .doesNotContain("visible-secret-key");
    }
  }

  @Test
  void namesWhatIsMissing() {
    assertThatThrownBy(
            () -> S3Storage.builder().bucket("weir").credentials("a-key", "s-key").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint");
    assertThatThrownBy(
            () ->
                S3Storage.builder().endpoint("http://m:9000").credentials("a-key", "s-key").build())
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> S3Storage.builder().endpoint("http://m:9000").bucket("b").build())
        .hasMessageContaining("credentials");
    assertThatThrownBy(
            () ->
                S3Storage.builder()
                    .endpoint("not a url")
                    .bucket("b")
                    .credentials("a-key", "s-key")
                    .build())
        .hasMessageContaining("not a url");
  }

  @Test
  void rejectsANegativeRetryTimeout() {
    assertThatThrownBy(() -> S3Storage.builder().retryTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
