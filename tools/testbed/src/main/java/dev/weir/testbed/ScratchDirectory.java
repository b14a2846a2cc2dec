package dev.weir.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A fresh directory under the system's temp directory that a fixture owns, deleted with everything
 * in it on {@link #close()}. Deleting is best effort: a leftover in the temp directory harms
 * nothing, and a test's own failure matters more than a cleanup's.
 */
record ScratchDirectory(Path path) implements AutoCloseable {

  static ScratchDirectory create(String prefix) {
    try {
      return new ScratchDirectory(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp directory " + prefix + "*", e);
    }
  }

  @Override
  public void close() {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(each);
      }
    } catch (IOException e) {
      // best effort (see the class comment)
    }
  }
}
