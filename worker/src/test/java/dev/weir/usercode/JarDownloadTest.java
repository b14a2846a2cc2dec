package dev.weir.usercode;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.storage.S3Storage.ObjectStat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A downloaded jar is checked against the object's size and, when it is one, its MD5 ETag. */
class JarDownloadTest {
  private static final String URI = "s3://jobs/job.jar";
  // MD5 of "0123456789"
  private static final String MD5 = "781e5e245d69b566979b86e28d23f2c7";

  @TempDir Path dir;

  private Path download(String content) throws Exception {
    return Files.writeString(dir.resolve("job.jar.part"), content, StandardCharsets.UTF_8);
  }

  @Test
  void acceptsADownloadOfTheObjectsSizeAndMd5() throws Exception {
    Path file = download("0123456789");

    assertThatCode(() -> JarDownload.verify(file, new ObjectStat(10, MD5), URI))
        .doesNotThrowAnyException();
    assertThatCode(() -> JarDownload.verify(file, new ObjectStat(10, "\"" + MD5 + "\""), URI))
        .doesNotThrowAnyException();
  }

  @Test
  void refusesATruncatedDownloadNamingTheUri() throws Exception {
    Path file = download("012345678");

    assertThatThrownBy(() -> JarDownload.verify(file, new ObjectStat(10, MD5), URI))
        .isInstanceOf(InvalidUserCodeException.class)
        .hasMessage(
            "spec.job.jarURI: s3://jobs/job.jar: the download is incomplete or the object changed"
                + " meanwhile: 9 bytes downloaded, the object has 10");
  }

  @Test
  void refusesADownloadWhoseMd5DiffersFromTheETag() throws Exception {
    Path file = download("0123456780");

    assertThatThrownBy(() -> JarDownload.verify(file, new ObjectStat(10, MD5), URI))
        .hasMessageStartingWith(
            "spec.job.jarURI: s3://jobs/job.jar: the download is corrupt: its MD5 ")
        .hasMessageEndingWith(" differs from the object's ETag " + MD5);
  }

  @Test
  void aMultipartETagIsNoDigestSoOnlyTheSizeIsChecked() throws Exception {
    Path file = download("0123456780");

    assertThatCode(() -> JarDownload.verify(file, new ObjectStat(10, MD5 + "-3"), URI))
        .doesNotThrowAnyException();
  }
}
