package dev.weir.usercode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testbed.MinioServer;
import dev.weir.testing.JarBuilder;
import io.minio.PutObjectArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's jar in S3 (MinIO): fetched into the cache once per version of the object. */
class S3JobJarIT {
  private static MinioServer minio;

  @TempDir Path dir;

  @BeforeAll
  static void startMinio() {
    minio = MinioServer.start("jobs");
  }

  @AfterAll
  static void stopMinio() {
    if (minio != null) {
      minio.close();
    }
  }

  private static JobJar jar(String key) {
    return JobJar.parse(
        "s3://jobs/" + key,
        minio.endpoint(),
        Map.of("WEIR_S3_ACCESS_KEY", minio.accessKey(), "WEIR_S3_SECRET_KEY", minio.secretKey())
            ::get);
  }

  private static void upload(String key, byte[] bytes) throws Exception {
    minio
        .client()
        .putObject(
            PutObjectArgs.builder().bucket("jobs").object(key).data(bytes, bytes.length).build());
  }

  private Path build(String name, String text) throws Exception {
    return new JarBuilder()
        .entry("version.txt", text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .writeTo(dir.resolve(name));
  }

  private static Object identity(Path file) throws Exception {
    return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
  }

  @Test
  void fetchesTheObjectOnceAndReusesTheVerifiedCopy() throws Exception {
    Path built = build("v1.jar", "v1");
    upload("team/job.jar", Files.readAllBytes(built));
    Path cache = dir.resolve("work/jars");

    Path first = jar("team/job.jar").fetch(cache);
    Object downloaded = identity(first);
    Path second = jar("team/job.jar").fetch(cache);

    assertThat(first.getParent()).isEqualTo(cache);
    assertThat(first).hasSameBinaryContentAs(built);
    assertThat(second).isEqualTo(first);
    assertThat(identity(second)).as("not downloaded again").isEqualTo(downloaded);
  }

  @Test
  void aReplacedObjectIsFetchedAnew() throws Exception {
    upload("team/app.jar", Files.readAllBytes(build("v1.jar", "v1")));
    Path cache = dir.resolve("work/jars");
    Path first = jar("team/app.jar").fetch(cache);

    Path v2 = build("v2.jar", "version two");
    upload("team/app.jar", Files.readAllBytes(v2));
    Path second = jar("team/app.jar").fetch(cache);

    assertThat(second).isNotEqualTo(first).hasSameBinaryContentAs(v2);
  }
}
