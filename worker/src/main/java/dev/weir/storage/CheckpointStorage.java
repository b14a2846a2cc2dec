package dev.weir.storage;

import java.nio.file.Path;
import java.util.List;

/**
 * Durable object storage for checkpoints, savepoints and sink output: a local directory or an S3
 * bucket prefix, behind one interface so that both take the same code path.
 *
 * <p>Paths are relative, '/'-separated, without a leading slash ({@code job/chk-3/_metadata}). A
 * path cannot name an object and also be a directory-like prefix of other objects ({@code a} and
 * {@code a/b}): neither a file system nor MinIO can hold both. Writes are atomic: a reader sees an
 * object whole or not at all. Implementations are thread-safe. Every failure is a {@link
 * StorageException} whose message names the location.
 */
public interface CheckpointStorage extends AutoCloseable {

  /** Writes (or replaces) an object from memory. */
  void write(String path, byte[] bytes) throws StorageException;

  /** Writes (or replaces) an object from a local file. */
  void upload(String path, Path localFile) throws StorageException;

  /**
   * An object written as a stream straight into storage, when this storage can take one without a
   * local copy first (a local directory); empty when objects must be uploaded from a local file.
   * The object appears, atomically and durably, on {@link ObjectOutput#commit()}; closing without
   * committing leaves nothing behind.
   */
  default java.util.Optional<ObjectOutput> directOutput(String path) throws StorageException {
    return java.util.Optional.empty();
  }

  /**
   * The local file that holds an object, when this storage is a local directory, to be read in
   * place (and never written); empty when objects must be downloaded. {@link
   * StorageException#isNotFound()} when it does not exist.
   */
  default java.util.Optional<Path> localFile(String path) throws StorageException {
    return java.util.Optional.empty();
  }

  /** Reads a whole object; {@link StorageException#isNotFound()} when it does not exist. */
  byte[] read(String path) throws StorageException;

  /** Copies an object into a local file (replacing it). */
  void download(String path, Path localFile) throws StorageException;

  boolean exists(String path) throws StorageException;

  /** Every object whose path starts with {@code prefix}, recursively, sorted by path. */
  List<String> list(String prefix) throws StorageException;

  /** Server-side copy; replaces {@code to}. */
  void copy(String from, String to) throws StorageException;

  /** Deletes one object; no error when it does not exist. */
  void delete(String path) throws StorageException;

  /** Deletes every object under {@code prefix}. */
  void deleteAll(String prefix) throws StorageException;

  /** Where this storage points, for messages: {@code s3://bucket/prefix} or a directory. */
  String describe();

  /** Full location of a path, for messages. */
  default String describe(String path) {
    return describe() + "/" + path;
  }

  /**
   * The path within this storage of a location a user gave: a full location as {@link
   * #describe(String)} prints it, or a path relative to this storage. Empty when the location
   * points elsewhere.
   */
  default java.util.Optional<String> pathOf(String location) {
    String base = describe() + "/";
    if (location.startsWith(base)) {
      return java.util.Optional.of(location.substring(base.length()));
    }
    if (location.contains("://")) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(location.startsWith("/") ? location.substring(1) : location);
  }

  @Override
  void close();

  /**
   * Returns {@code path} when it is a valid relative path of every storage (no leading '/', no
   * empty, "." or ".." segment, no backslash), else throws {@link IllegalArgumentException} naming
   * the fault. For names that become paths, such as a job id, checked before any I/O.
   */
  static String requireValidPath(String path) {
    return ObjectPath.requireValid(path);
  }

  /**
   * Returns {@code prefix} when it is a valid prefix for {@link #list} and {@link #deleteAll}: as a
   * path, but it may be empty and may end with '/'. Else throws {@link IllegalArgumentException}.
   */
  static String requireValidPrefix(String prefix) {
    return ObjectPath.requireValidPrefix(prefix);
  }

  /** Joins path segments with '/'. */
  static String join(String first, String... more) {
    StringBuilder sb = new StringBuilder(first);
    for (String segment : more) {
      if (segment.isEmpty()) {
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '/') {
        sb.append('/');
      }
      sb.append(segment);
    }
    return sb.toString();
  }
}
