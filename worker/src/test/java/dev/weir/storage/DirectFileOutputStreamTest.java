package dev.weir.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectFileOutputStreamTest {
  @TempDir Path dir;

  /** Writes {@code size} random bytes in uneven pieces (and single bytes) and reads them back. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4095, 4096, 4097, (4 << 20) - 1, 4 << 20, (4 << 20) + 12_345, 9 << 20})
  void aFileWrittenWithDirectIoHoldsExactlyTheBytesWrittenWhateverTheirAlignment(int size)
      throws IOException {
    byte[] bytes = new byte[size];
    new SplittableRandom(size).nextBytes(bytes);
    Path file = Files.createFile(dir.resolve("file"));
    DirectFileOutputStream out = DirectFileOutputStream.openOrNull(file);
    // ext4 and xfs take O_DIRECT; a file system that refuses it (tmpfs) must say so by null, and
    // storage then writes through the page cache (LocalDirectoryStorageTest covers that path)
    String fileSystem = Files.getFileStore(dir).type();
    assertThat(out != null || fileSystem.equals("tmpfs"))
        .as("direct I/O refused on a %s file system", fileSystem)
        .isTrue();
    if (out == null) {
      return;
    }
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
