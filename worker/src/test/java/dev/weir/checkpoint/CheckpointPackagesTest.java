package dev.weir.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The two sides of the checkpoint protocol are packages whose imports point one way: the
 * coordinator side ({@code dev.weir.checkpoint}) knows nothing of the task side ({@code
 * dev.weir.checkpoint.barrier}), and neither knows how tasks run or are reached.
 */
class CheckpointPackagesTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/weir/checkpoint");
  private static final Pattern REFERENCE =
      Pattern.compile("^\\s*import\\s+(?:static\\s+)?(dev\\.weir\\.[\\w.]+)", Pattern.MULTILINE);

  @Test
  void theCoordinatorSideImportsNeitherTheTaskSideNorTheRuntime() throws IOException {
    assertThat(importsOf(SOURCES))
        .isNotEmpty()
        .noneMatch(i -> i.startsWith("dev.weir.checkpoint.barrier."))
        .noneMatch(CheckpointPackagesTest::isRuntime);
  }

  @Test
  void theBarrierHandlersImportNothingOfTheRuntime() throws IOException {
    assertThat(importsOf(SOURCES.resolve("barrier")))
        .isNotEmpty()
        .noneMatch(CheckpointPackagesTest::isRuntime);
  }

  private static boolean isRuntime(String imported) {
    return imported.startsWith("dev.weir.runtime.")
        || imported.startsWith("dev.weir.net.")
        || imported.startsWith("dev.weir.runner.");
  }

  /** The {@code dev.weir} imports of the package's own files (not of its sub-packages). */
  private static List<String> importsOf(Path packageDirectory) throws IOException {
    List<String> imports = new ArrayList<>();
    try (Stream<Path> files = Files.list(packageDirectory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = REFERENCE.matcher(Files.readString(file));
        while (m.find()) {
          imports.add(m.group(1));
        }
      }
    }
    return imports;
  }
}
