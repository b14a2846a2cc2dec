package dev.weir.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The local directory a backend uses exclusively (RocksDB files, snapshot and restore scratch
 * files). Thread-safe: the task thread and upload threads both take fresh names from it.
 */
public final class WorkDirectory {
  private final Path root;
  private final AtomicLong sequence = new AtomicLong();

  public WorkDirectory(Path root) throws IOException {
    this.root = Files.createDirectories(root);
  }

  public Path root() {
    return root;
  }

  /**
   * A path under the root that no other call returned and that does not exist ({@code prefix-N});
   * not created. A name left behind by an earlier owner of the root (a process killed before it
   * could clear it, e.g. a worker SIGKILLed with the same work directory) is skipped, never reused:
   * opening such a half-written database as a fresh one fails or, worse, finds stale state.
   */
  public Path freshPath(String prefix) {
    Path path;
    do {
      path = root.resolve(prefix + "-" + sequence.incrementAndGet());
    } while (Files.exists(path));
    return path;
  }

  /** Deletes everything under the root, keeping the root. */
  public void clear() {
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : children.collect(Collectors.toList())) {
        deleteRecursively(child);
      }
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + root, e);
    }
  }

  /** Deletes a file or a directory tree; nothing happens when it does not exist. */
  public static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      List<Path> deepestFirst = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
      for (Path p : deepestFirst) {
        try {
          Files.deleteIfExists(p);
        } catch (DirectoryNotEmptyException e) {
          // a concurrent writer added a file; report it rather than loop
          throw new UncheckedIOException("cannot delete " + p, e);
        }
      }
    } catch (NoSuchFileException e) {
      // deleted concurrently
    } catch (UncheckedIOException e) {
      if (!(e.getCause() instanceof NoSuchFileException)) {
        throw e;
      }
      // deleted concurrently while walking (the backend was closed: its directory is cleared)
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }
}
