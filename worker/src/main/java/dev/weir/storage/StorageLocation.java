package dev.weir.storage;

import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where checkpoint storage lives, as written in a manifest, parsed and checked before anything is
 * opened: a local directory or an S3 bucket prefix.
 *
 * <p>Accepted location strings:
 *
 * <ul>
 *   <li>a plain path ({@code /var/weir/checkpoints}, {@code data/chk}) or {@code file:///dir}:
 *       {@link LocalDirectory};
 *   <li>{@code s3://bucket} or {@code s3://bucket/key/prefix} together with an endpoint and
 *       credentials from the environment (see {@link S3Credentials#fromEnvironment}): {@link
 *       S3Bucket}.
 * </ul>
 *
 * <p>Invalid input throws {@link IllegalArgumentException} naming what is wrong or missing (never a
 * credential). {@link #probe()} sends one real request so that a process can fail at start-up with
 * one clear message instead of at its first checkpoint.
 */
public sealed interface StorageLocation
    permits StorageLocation.LocalDirectory, StorageLocation.S3Bucket {

  /** Parses {@code location}, taking S3 credentials from the process environment. */
  static StorageLocation parse(String location, String endpoint) {
    return parse(location, endpoint, System::getenv);
  }

  /**
   * Parses {@code location}.
   *
   * @param endpoint the S3 endpoint ({@code http(s)://host[:port]}); required for {@code s3://}
   *     locations, ignored for directories, may be null
   * @param environment environment variable lookup (name to value or null), for the credentials
   * @throws IllegalArgumentException when the location is malformed, or an S3 location lacks an
   *     endpoint or credentials
   */
  static StorageLocation parse(
      String location, String endpoint, Function<String, String> environment) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("storage location is empty");
    }
    String trimmed = location.trim();
    if (trimmed.startsWith("s3://")) {
      return S3Bucket.parse(trimmed, endpoint, environment);
    }
    if (trimmed.startsWith("file:")) {
      return LocalDirectory.parseUri(trimmed);
    }
    if (hasScheme(trimmed)) {
      throw new IllegalArgumentException(
          "unsupported storage location "
              + trimmed
              + ": use a directory, file:///directory or s3://bucket/prefix");
    }
    try {
      return new LocalDirectory(Path.of(trimmed));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("invalid storage directory " + trimmed, e);
    }
  }

  private static boolean hasScheme(String location) {
    return location.matches("[A-Za-z][A-Za-z0-9+.-]*://.*");
  }

  /** Opens the storage; sends no request. */
  CheckpointStorage open();

  /**
   * Checks with one cheap real operation that the storage can be used.
   *
   * @throws StorageException with a message naming the location when it cannot
   */
  void probe() throws StorageException;

  /** {@code s3://bucket/prefix} or the directory, for messages. */
  String describe();

  /** A directory on the local file system or a mounted volume. */
  record LocalDirectory(Path directory) implements StorageLocation {
    public LocalDirectory {
      directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    }

    private static LocalDirectory parseUri(String location) {
      try {
        return new LocalDirectory(Path.of(URI.create(location)));
      } catch (IllegalArgumentException | FileSystemNotFoundException e) {
        throw new IllegalArgumentException(
            "invalid storage location " + location + ": expected file:///absolute/directory", e);
      }
    }

    @Override
    public LocalDirectoryStorage open() {
      return new LocalDirectoryStorage(directory);
    }

    /** Creates the directory if needed and checks that it is writable. */
    @Override
    public void probe() throws StorageException {
      open().checkReachable();
    }

    @Override
    public String describe() {
      return directory.toString();
    }
  }

  /**
   * A bucket and key prefix at an S3 endpoint. {@link #toString()} shows no credential.
   *
   * @param prefix key prefix without leading or trailing '/', possibly empty
   * @param retryTimeout how long transient failures are retried (see {@link
   *     S3Storage.Builder#retryTimeout})
   */
  record S3Bucket(
      String endpoint,
      String bucket,
      String prefix,
      String region,
      S3Credentials credentials,
      Duration retryTimeout)
      implements StorageLocation {
    private static final Pattern HTTP_URL =
        Pattern.compile("https?://([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+])(:[0-9]{1,5})?/*");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3Bucket {
      if (endpoint == null || endpoint.isBlank()) {
        throw new IllegalArgumentException(
            "S3 storage s3://"
                + bucket
                + (prefix == null || prefix.isEmpty() ? "" : "/" + prefix)
                + " needs an endpoint (http(s)://host[:port])");
      }
      endpoint = endpoint.trim();
      if (!HTTP_URL.matcher(endpoint).matches()) {
        throw new IllegalArgumentException(
            "invalid S3 endpoint " + endpoint + ": expected http(s)://host[:port]");
      }
      endpoint = endpoint.replaceAll("/+$", "");
      if (bucket == null || !BUCKET.matcher(bucket).matches()) {
        throw new IllegalArgumentException(
            "invalid S3 bucket name '"
                + bucket
                + "': 3 to 63 lower-case letters, digits, '.' and '-'");
      }
      prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
      if (!prefix.isEmpty()) {
        ObjectPath.requireValid(prefix);
      }
      region = region == null || region.isBlank() ? S3Storage.DEFAULT_REGION : region;
      Objects.requireNonNull(credentials, "credentials");
      retryTimeout = retryTimeout == null ? S3Storage.DEFAULT_RETRY_TIMEOUT : retryTimeout;
    }

    private static S3Bucket parse(
        String location, String endpoint, Function<String, String> environment) {
      String rest = location.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : rest.substring(slash + 1);
      if (bucket.isEmpty()) {
        throw new IllegalArgumentException(
            "storage location " + location + " names no bucket: expected s3://bucket/prefix");
      }
      if (endpoint == null || endpoint.isBlank()) {
        throw new IllegalArgumentException(
            "S3 storage " + location + " needs an endpoint (http(s)://host[:port])");
      }
      S3Credentials credentials;
      try {
        credentials = S3Credentials.fromEnvironment(environment);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("S3 storage " + location + ": " + e.getMessage(), e);
      }
      return new S3Bucket(endpoint, bucket, prefix, null, credentials, null);
    }

    public S3Bucket withRegion(String region) {
      return new S3Bucket(endpoint, bucket, prefix, region, credentials, retryTimeout);
    }

    public S3Bucket withRetryTimeout(Duration retryTimeout) {
      return new S3Bucket(endpoint, bucket, prefix, region, credentials, retryTimeout);
    }

    @Override
    public S3Storage open() {
      return S3Storage.builder()
          .endpoint(endpoint)
          .bucket(bucket)
          .prefix(prefix)
          .region(region)
          .credentials(credentials)
          .retryTimeout(retryTimeout)
          .build();
    }

    /** Checks that the bucket exists and the credentials are accepted (one request, retried). */
    @Override
    public void probe() throws StorageException {
      try (S3Storage storage = open()) {
        storage.checkReachable();
      }
    }

    @Override
    public String describe() {
      return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    @Override
    public String toString() {
      return "S3Bucket[" + describe() + " at " + endpoint + ", region " + region + "]";
    }
  }
}
