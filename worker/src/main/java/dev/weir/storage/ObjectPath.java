package dev.weir.storage;

/**
 * The rules for the relative, '/'-separated paths of {@link CheckpointStorage}, shared by every
 * implementation so that a path valid in one is valid in all.
 *
 * <p>A path is non-empty, has no leading '/', no empty segment, no "." or ".." segment and no
 * backslash. A prefix (for {@code list} and {@code deleteAll}) follows the same rules but may be
 * empty and may end with '/'. Violations are programming errors and throw {@link
 * IllegalArgumentException}.
 */
final class ObjectPath {
  private ObjectPath() {}

  /** Returns {@code path} when it names an object, else throws {@link IllegalArgumentException}. */
  static String requireValid(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("object path is empty");
    }
    if (path.endsWith("/")) {
      throw new IllegalArgumentException("object path must not end with '/': " + path);
    }
    checkSegments(path);
    return path;
  }

  /** Returns {@code prefix} when it is a valid listing prefix (possibly empty). */
  static String requireValidPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix is null");
    }
    if (prefix.isEmpty()) {
      return prefix;
    }
    checkSegments(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
    return prefix;
  }

  private static void checkSegments(String path) {
    if (path.startsWith("/")) {
      throw new IllegalArgumentException("path must be relative (no leading '/'): " + path);
    }
    if (path.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("path must use '/' as separator: " + path);
    }
    // -1 keeps trailing empty segments, so "a//b" and "a/" are both caught
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("invalid segment '" + segment + "' in path: " + path);
      }
    }
  }
}
