package dev.weir.usercode;

import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageLocation;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a job's jar is, as {@code spec.job.jarURI} names it, parsed and checked before any I/O:
 *
 * <ul>
 *   <li>{@code local:///path/in/image.jar}, {@code file:///path/job.jar} or a plain path (relative
 *       to the working directory): a file of this machine or container, read in place ({@link
 *       LocalFile});
 *   <li>{@code s3://bucket/key}: an object fetched with the job's storage settings (the endpoint of
 *       {@code spec.storage}, else {@code WEIR_S3_ENDPOINT}; the credentials from the environment,
 *       as for checkpoints), verified and cached ({@link S3Object}).
 * </ul>
 *
 * <p>Invalid input throws {@link IllegalArgumentException} naming what is wrong (never a
 * credential). Immutable.
 */
public sealed interface JobJar permits JobJar.LocalFile, JobJar.S3Object {

  /** The environment variable that names an S3 endpoint when the job's storage has none. */
  String ENDPOINT_VARIABLE = "WEIR_S3_ENDPOINT";

  /**
   * @param storageEndpoint the endpoint of the job's checkpoint storage, or null
   * @param environment environment variable lookup, for the endpoint and the credentials
   */
  static JobJar parse(String uri, String storageEndpoint, Function<String, String> environment) {
    String trimmed = uri.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("is empty");
    }
    if (trimmed.startsWith("s3://")) {
      return S3Object.parse(trimmed, storageEndpoint, environment);
    }
    if (trimmed.startsWith("local:") || trimmed.startsWith("file:")) {
      return LocalFile.parseUri(trimmed);
    }
    if (trimmed.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      throw new IllegalArgumentException(
          "unsupported jar location "
              + trimmed
              + ": use local:///path/in/image.jar, file:///path/job.jar, a path or"
              + " s3://bucket/key");
    }
    try {
      return new LocalFile(trimmed, Path.of(trimmed));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("invalid jar path " + trimmed + ": " + e.getReason());
    }
  }

  /** The location as the manifest wrote it, for messages. */
  String uri();

  /**
   * The jar as a local file that is a whole jar ({@link WholeJar}): the file itself, or a verified
   * copy in {@code cacheDirectory}.
   *
   * @throws InvalidUserCodeException naming the URI when the jar is missing, unreadable, corrupt or
   *     incomplete
   */
  Path fetch(Path cacheDirectory) throws InvalidUserCodeException;

  /** A file on this machine (in the image, on Kubernetes). */
  record LocalFile(String uri, Path path) implements JobJar {
    public LocalFile {
      path = path.toAbsolutePath().normalize();
    }

    private static LocalFile parseUri(String uri) {
      URI parsed;
      try {
        parsed = URI.create(uri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid jar location " + uri + ": " + e.getMessage());
      }
      String path = parsed.getPath();
      if ((parsed.getAuthority() != null && !parsed.getAuthority().isEmpty())
          || path == null
          || !path.startsWith("/")
          || path.endsWith("/")) {
        throw new IllegalArgumentException(
            "invalid jar location "
                + uri
                + ": expected "
                + parsed.getScheme()
                + ":///absolute/path/job.jar (three slashes, no host)");
      }
      return new LocalFile(uri, Path.of(path));
    }

    @Override
    public Path fetch(Path cacheDirectory) throws InvalidUserCodeException {
      if (!Files.exists(path)) {
        throw new InvalidUserCodeException(
            UserCode.JAR_FIELD,
            uri + ": no such file" + (uri.equals(path.toString()) ? "" : " (" + path + ")"));
      }
      if (!Files.isRegularFile(path)) {
        throw new InvalidUserCodeException(
            UserCode.JAR_FIELD, uri + ": not a file but a directory");
      }
      if (!Files.isReadable(path)) {
        throw new InvalidUserCodeException(
            UserCode.JAR_FIELD, uri + ": cannot be read (no permission)");
      }
      WholeJar.check(path, uri);
      return path;
    }
  }

  /** An object in an S3 bucket, with the endpoint and credentials to fetch it. */
  record S3Object(String uri, StorageLocation.S3Bucket bucket, String key) implements JobJar {

    private static S3Object parse(
        String uri, String storageEndpoint, Function<String, String> environment) {
      String rest = uri.substring("s3://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException(
            "invalid jar location " + uri + ": expected s3://bucket/key");
      }
      String endpoint =
          storageEndpoint != null && !storageEndpoint.isBlank()
              ? storageEndpoint
              : environment.apply(ENDPOINT_VARIABLE);
      if (endpoint == null || endpoint.isBlank()) {
        throw new IllegalArgumentException(
            uri
                + " needs an S3 endpoint: the job's spec.storage.endpoint, or the environment"
                + " variable "
                + ENDPOINT_VARIABLE);
      }
      String key = rest.substring(slash + 1);
      try {
        StorageLocation bucket =
            StorageLocation.parse("s3://" + rest.substring(0, slash), endpoint, environment);
        CheckpointStorage.requireValidPath(key);
        return new S3Object(uri, (StorageLocation.S3Bucket) bucket, key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(uri + ": " + e.getMessage());
      }
    }

    /**
     * Downloads the object into {@code cacheDirectory} unless a verified copy of this very object
     * (same entity tag) is there already.
     */
    @Override
    public Path fetch(Path cacheDirectory) throws InvalidUserCodeException {
      return new JarDownload(this, cacheDirectory).fetch();
    }

    @Override
    public String toString() {
      return "S3Object[" + uri + " at " + bucket.endpoint() + "]";
    }
  }
}
