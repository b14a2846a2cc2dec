package dev.weir.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Direct I/O on a directory under the build directory ({@code target/}), not under {@code
 * java.io.tmpdir}: where the temp dir is tmpfs, which refuses O_DIRECT, every case used to return
 * early and passed without writing a byte with direct I/O. The build directory is on the disk the
 * project is built on; a build on a file system that refuses O_DIRECT fails here, saying so.
 */
class DirectFileOutputStreamTest {
  private Path dir;

  @BeforeEach
  void directoryOnTheBuildDisk() throws IOException {
    Path build = Files.createDirectories(Path.of("target", "direct-io-test"));
    dir = Files.createTempDirectory(build, "case-");
  }

  @AfterEach
  void deleteIt() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(dir);
  }

  /** Writes {@code size} random bytes in uneven pieces (and single bytes) and reads them back. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4095, 4096, 4097, (4 << 20) - 1, 4 << 20, (4 << 20) + 12_345, 9 << 20})
  void aFileWrittenWithDirectIoHoldsExactlyTheBytesWrittenWhateverTheirAlignment(int size)
      throws IOException {
    byte[] bytes = new byte[size];
    new SplittableRandom(size).nextBytes(bytes);
    Path file = Files.createFile(dir.resolve("file"));
    DirectFileOutputStream out = DirectFileOutputStream.openOrNull(file);
    // ext4 and xfs take O_DIRECT (a file system that refuses it makes openOrNull return null, and
    // storage writes through the page cache: LocalDirectoryStorageTest covers that path)
    assertThat(out)
        .as(
            "direct I/O refused in %s on a %s file system: build on a disk that takes O_DIRECT",
            dir.toAbsolutePath(), Files.getFileStore(dir).type())
        .isNotNull();
    try (out) {
      int at = 0;
      SplittableRandom pieces = new SplittableRandom(7);
      while (at < size) {
        if (pieces.nextInt(10) == 0) {
          out.write(bytes[at++]);
          continue;
        }
        int n = Math.min(size - at, 1 + pieces.nextInt(1 << 20));
        out.write(bytes, at, n);
        at += n;
      }
      out.finish();
      out.channel().force(true);
    }

    assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
  }
}
