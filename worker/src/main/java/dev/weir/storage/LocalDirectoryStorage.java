package dev.weir.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link CheckpointStorage} in a directory of the local file system (or a mounted volume).
 *
 * <p>Every write goes to a temporary file in the target's directory, is forced to disk and is then
 * renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}, so a reader (and a process
 * restarted after a crash) sees either the old or the new object, never a torn one. Temporary files
 * are named {@value #TEMP_PREFIX}… and are never listed; object paths whose file name starts with
 * that prefix are therefore rejected. Deleting removes directories that become empty, up to (not
 * including) the root; {@link #deleteAll} also removes temporary files left under the prefix by a
 * crash (so it must not run concurrently with writes under the same prefix).
 */
public final class LocalDirectoryStorage implements CheckpointStorage {
  /** File-name prefix of in-flight writes; reserved, invisible to {@link #list}. */
  static final String TEMP_PREFIX = ".tmp-";

  // A concurrent delete may prune a directory between our createDirectories and createTempFile,
  // or while createDirectories runs (which then reports FileAlreadyExists): try again.
  private static final int CREATE_ATTEMPTS = 10;

  private final Path root;

  /** Storage rooted at {@code root}; the directory is created on the first write. */
  public LocalDirectoryStorage(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * A path under the root, absolute or relative to the working directory, or else a path relative
   * to the root.
   */
  @Override
  public java.util.Optional<String> pathOf(String location) {
    if (location.contains("://")) {
      return java.util.Optional.empty();
    }
    Path given = Path.of(location);
    Path normalized = given.toAbsolutePath().normalize();
    if (!normalized.startsWith(root) || normalized.equals(root)) {
      // a relative path not under the root (from the working directory) is one within the root
      return given.isAbsolute() ? java.util.Optional.empty() : java.util.Optional.of(location);
    }
    return java.util.Optional.of(root.relativize(normalized).toString().replace('\\', '/'));
  }

  /** The root directory (absolute). */
  public Path root() {
    return root;
  }

  /**
   * Checks that the root is (or can be created as) a writable directory.
   *
   * @throws StorageException naming the root when it is not
   */
  public void checkReachable() throws StorageException {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw failure(root.toString(), "create directory", e);
    }
    if (!Files.isWritable(root)) {
      throw new StorageException(root + ": directory is not writable", null);
    }
  }

  @Override
  public void write(String path, byte[] bytes) throws StorageException {
    Path target = resolve(path);
    try {
      Path temp = createTemp(target);
      try {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
          channel.force(true);
        }
        publish(temp, target);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw failure(describe(path), "write", e);
    }
  }

  @Override
  public void upload(String path, Path localFile) throws StorageException {
    Path target = resolve(path);
    try {
      copyDurably(localFile, target);
    } catch (IOException e) {
      throw failure(describe(path), "upload from " + localFile, e);
    }
  }

  /**
   * Writes into a temporary file beside the target, which {@link ObjectOutput#commit()} forces to
   * disk and renames over the target (as {@link #upload} does after its copy). The file is written
   * with direct I/O where the file system takes it ({@link DirectFileOutputStream}), else through
   * the page cache.
   */
  @Override
  public Optional<ObjectOutput> directOutput(String path) throws StorageException {
    Path target = resolve(path);
    Path temp;
    DirectFileOutputStream direct;
    FileChannel channel;
    try {
      temp = createTemp(target);
      try {
        direct = DirectFileOutputStream.openOrNull(temp);
        channel =
            direct != null ? direct.channel() : FileChannel.open(temp, StandardOpenOption.WRITE);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(temp);
        throw e;
      }
    } catch (IOException e) {
      throw failure(describe(path), "write", e);
    }
    OutputStream stream = direct != null ? direct : Channels.newOutputStream(channel);
    return Optional.of(
        new ObjectOutput() {
          private boolean committed;

          @Override
          public OutputStream stream() {
            return stream;
          }

          @Override
          public void commit() throws StorageException {
            try {
              if (direct != null) {
                direct.finish();
              }
              channel.force(true);
              stream.close(); // closes the channel; gives a direct stream's buffer back
              publish(temp, target);
              committed = true;
            } catch (IOException e) {
              throw failure(describe(path), "write", e);
            }
          }

          @Override
          public void close() throws StorageException {
            if (committed) {
              return;
            }
            try {
              stream.close();
              Files.deleteIfExists(temp);
            } catch (IOException e) {
              throw failure(describe(path), "discard the partial write of", e);
            }
          }
        });
  }

  @Override
  public Optional<Path> localFile(String path) throws StorageException {
    return Optional.of(resolveExisting(path));
  }

  @Override
  public byte[] read(String path) throws StorageException {
    Path source = resolveExisting(path);
    try {
      return Files.readAllBytes(source);
    } catch (IOException e) {
      throw failure(describe(path), "read", e);
    }
  }

  @Override
  public void download(String path, Path localFile) throws StorageException {
    Path source = resolveExisting(path);
    Path target = localFile.toAbsolutePath();
    try {
      Files.createDirectories(target.getParent());
      // Copy next to the target and rename, so a failed download leaves no partial file.
      Path temp =
          Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
      try {
        Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
        moveReplacing(temp, target);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw failure(describe(path), "download to " + localFile, e);
    }
  }

  @Override
  public boolean exists(String path) {
    return Files.isRegularFile(resolve(path));
  }

  @Override
  public List<String> list(String prefix) throws StorageException {
    ObjectPath.requireValidPrefix(prefix);
    Path start = walkStart(prefix);
    List<String> paths = new ArrayList<>();
    try {
      walk(
          start,
          new Visitor() {
            @Override
            void file(Path file, String relative) {
              if (relative.startsWith(prefix)) {
                paths.add(relative);
              }
            }
          });
    } catch (IOException e) {
      throw failure(describe(prefix), "list", e);
    }
    paths.sort(null);
    return paths;
  }

  @Override
  public void copy(String from, String to) throws StorageException {
    Path source = resolveExisting(from);
    Path target = resolve(to);
    try {
      copyDurably(source, target);
    } catch (IOException e) {
      if (e instanceof NoSuchFileException && !Files.exists(source)) {
        // deleted between the check and the copy
        throw new StorageException(describe(from) + ": no such object", e, true);
      }
      throw failure(describe(from), "copy to " + describe(to), e);
    }
  }

  @Override
  public void delete(String path) throws StorageException {
    Path target = resolve(path);
    try {
      Files.deleteIfExists(target);
      pruneEmptyParents(target.getParent());
    } catch (IOException e) {
      throw failure(describe(path), "delete", e);
    }
  }

  @Override
  public void deleteAll(String prefix) throws StorageException {
    ObjectPath.requireValidPrefix(prefix);
    Path start = walkStart(prefix);
    try {
      walk(
          start,
          new Visitor() {
            @Override
            void file(Path file, String relative) throws IOException {
              if (relative.startsWith(prefix)) {
                Files.deleteIfExists(file);
              }
            }

            @Override
            void directoryDone(Path dir, String relative) throws IOException {
              if (!dir.equals(root) && (relative + "/").startsWith(prefix)) {
                deleteIfEmpty(dir);
              }
            }
          },
          // leftovers of writes interrupted by a crash would keep the directories alive
          true);
      pruneEmptyParents(start);
    } catch (IOException e) {
      throw failure(describe(prefix), "delete everything under", e);
    }
  }

  @Override
  public String describe() {
    return root.toString();
  }

  @Override
  public void close() {
    // nothing held open between calls
  }

  @Override
  public String toString() {
    return "LocalDirectoryStorage[" + root + "]";
  }

  private Path resolve(String path) {
    ObjectPath.requireValid(path);
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    if (fileName.startsWith(TEMP_PREFIX)) {
      throw new IllegalArgumentException(
          "file names starting with "
              + TEMP_PREFIX
              + " are reserved for in-flight writes: "
              + path);
    }
    return root.resolve(path);
  }

  private Path resolveExisting(String path) throws StorageException {
    Path file = resolve(path);
    if (!Files.isRegularFile(file)) {
      throw new StorageException(describe(path) + ": no such object", null, true);
    }
    return file;
  }

  /** The deepest directory that can contain paths starting with {@code prefix}. */
  private Path walkStart(String prefix) {
    int slash = prefix.lastIndexOf('/');
    return slash < 0 ? root : root.resolve(prefix.substring(0, slash));
  }

  private Path createTemp(Path target) throws IOException {
    Path dir = target.getParent();
    for (int attempt = 1; ; attempt++) {
      try {
        Files.createDirectories(dir);
        return Files.createTempFile(dir, TEMP_PREFIX, null);
      } catch (NoSuchFileException | FileAlreadyExistsException prunedMeanwhile) {
        if (attempt == CREATE_ATTEMPTS) {
          throw prunedMeanwhile;
        }
      }
    }
  }

  /**
   * Copies {@code source} into a temp file beside {@code target} (into the file as created: no
   * delete and re-create, no second open to force it), forces it and renames it over the target.
   */
  private void copyDurably(Path source, Path target) throws IOException {
    Path temp = createTemp(target);
    try {
      try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
          FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        long size = in.size();
        for (long done = 0; done < size; ) {
          long n = in.transferTo(done, size - done, out);
          if (n <= 0) {
            throw new IOException(source + " shrank while it was copied");
          }
          done += n;
        }
        out.force(true);
      }
      publish(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Renames the forced temp file over the target and makes the rename itself durable. */
  private static void publish(Path temp, Path target) throws IOException {
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(target.getParent());
  }

  private static void forceDirectory(Path dir) {
    // Not every file system lets a directory be opened for fsync; the rename is already done then.
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // best effort
    }
  }

  private static void moveReplacing(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void pruneEmptyParents(Path dir) throws IOException {
    for (Path current = dir;
        current != null && current.startsWith(root) && !current.equals(root);
        current = current.getParent()) {
      if (!deleteIfEmpty(current)) {
        return;
      }
    }
  }

  /** True when {@code dir} is gone afterwards. */
  private static boolean deleteIfEmpty(Path dir) throws IOException {
    try {
      Files.deleteIfExists(dir);
      return true;
    } catch (DirectoryNotEmptyException notEmpty) {
      return false;
    }
  }

  private void walk(Path start, Visitor visitor) throws IOException {
    walk(start, visitor, false);
  }

  private void walk(Path start, Visitor visitor, boolean withTemporaryFiles) throws IOException {
    if (!Files.isDirectory(start)) {
      return;
    }
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile()
                && (withTemporaryFiles || !file.getFileName().toString().startsWith(TEMP_PREFIX))) {
              visitor.file(file, relative(file));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // deleted concurrently
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            visitor.directoryDone(dir, relative(dir));
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private String relative(Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private static StorageException failure(String location, String action, IOException e) {
    String detail =
        e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e.getClass().getSimpleName() + ": " + e.getMessage();
    return new StorageException(location + ": cannot " + action + ": " + detail, e);
  }

  /** Callbacks of a walk below the root; paths are given absolute and relative to the root. */
  private abstract static class Visitor {
    void file(Path file, String relative) throws IOException {}

    void directoryDone(Path dir, String relative) throws IOException {}
  }
}
