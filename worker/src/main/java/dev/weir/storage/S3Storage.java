package dev.weir.storage;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.failsafe.function.CheckedSupplier;
import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.messages.DeleteRequest;
import io.minio.messages.DeleteResult;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CheckpointStorage} in an S3 bucket (AWS S3, MinIO, any S3-compatible service) under a key
 * prefix: path {@code p} is the object {@code prefix/p}.
 *
 * <p>Transient failures (connection refused or reset, timeouts, HTTP 5xx, throttling such as {@code
 * SlowDown}) are retried with exponential backoff by one {@link RetryPolicy} shared by all
 * operations, for at most {@link Builder#retryTimeout} in total (plus the attempt in flight,
 * bounded by the connect and request timeouts); the MinIO client's own retries are switched off so
 * that this is the only retry loop. A missing object is reported at once as {@link
 * StorageException#isNotFound()}. Messages name the full location and the endpoint ({@code
 * s3://bucket/prefix/job/chk-3/_metadata at http://127.0.0.1:9000: read failed: connection refused
 * ...}) and never a credential.
 *
 * <p>Transfers stream: uploads read the file part by part, downloads write the object to a
 * temporary file next to the target and rename it into place. Thread-safe.
 */
public final class S3Storage implements CheckpointStorage {
  private static final Logger log = LoggerFactory.getLogger(S3Storage.class);

  /** Default for {@link Builder#retryTimeout}. */
  public static final Duration DEFAULT_RETRY_TIMEOUT = Duration.ofSeconds(10);

  /** Default for {@link Builder#region}; MinIO ignores it, AWS needs the bucket's region. */
  public static final String DEFAULT_REGION = "us-east-1";

  private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(100);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(2);
  // S3 DeleteObjects accepts at most 1000 keys per request.
  private static final int DELETE_BATCH = 1000;
  private static final int TRANSFER_BUFFER = 64 * 1024;

  private final String endpoint;
  private final String bucket;
  private final String prefix;
  private final S3Credentials credentials;
  private final MinioClient client;
  private final FailsafeExecutor<Object> retrying;

  private S3Storage(Builder builder) {
    this.endpoint = builder.endpoint;
    this.bucket = builder.bucket;
    this.prefix = builder.prefix;
    this.credentials = builder.credentials;
    this.client =
        MinioClient.builder()
            .endpoint(endpoint)
            .region(builder.region)
            .credentials(credentials.accessKey(), credentials.secretKey())
            .httpClient(httpClient(builder), true)
            .build();
    this.retrying = Failsafe.with(retryPolicy(builder.retryTimeout));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The endpoint URL, e.g. {@code http://127.0.0.1:9000}. */
  public String endpoint() {
    return endpoint;
  }

  public String bucket() {
    return bucket;
  }

  /** The key prefix without leading or trailing '/', possibly empty. */
  public String prefix() {
    return prefix;
  }

  /**
   * One cheap request (does the bucket exist?), retried like every other operation.
   *
   * @throws StorageException naming the bucket and endpoint when the storage cannot be reached,
   *     rejects the credentials or has no such bucket
   */
  public void checkReachable() throws StorageException {
    boolean exists =
        call(
            describe(),
            "bucket check",
            () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    if (!exists) {
      throw new StorageException(
          describe() + " at " + endpoint + ": bucket '" + bucket + "' does not exist", null);
    }
  }

  @Override
  public void write(String path, byte[] bytes) throws StorageException {
    String key = key(path);
    call(
        describe(path),
        "write",
        () ->
            client.putObject(
                PutObjectArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .data(bytes, bytes.length)
                    .maxRetries(1)
                    .build()));
  }

  @Override
  public void upload(String path, Path localFile) throws StorageException {
    String key = key(path);
    if (!Files.isRegularFile(localFile)) {
      throw new StorageException(
          describe(path) + ": cannot upload: " + localFile + " is not a readable file", null);
    }
    call(
        describe(path),
        "upload from " + localFile,
        () ->
            client.uploadObject(
                UploadObjectArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .filename(localFile.toString())
                    .maxRetries(1)
                    .build()));
  }

  @Override
  public byte[] read(String path) throws StorageException {
    String key = key(path);
    return call(
        describe(path),
        "read",
        () -> {
          try (GetObjectResponse in = client.getObject(getArgs(key))) {
            return in.readAllBytes();
          }
        });
  }

  @Override
  public void download(String path, Path localFile) throws StorageException {
    String key = key(path);
    Path target = localFile.toAbsolutePath();
    call(
        describe(path),
        "download to " + localFile,
        () -> {
          downloadOnce(key, target);
          return null;
        });
  }

  private void downloadOnce(String key, Path target) throws Exception {
    Path dir = target.getParent();
    Path temp =
        local(
            () -> {
              Files.createDirectories(dir);
              return Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
            });
    try {
      try (GetObjectResponse in = client.getObject(getArgs(key));
          FileChannel out = local(() -> FileChannel.open(temp, StandardOpenOption.WRITE))) {
        transfer(in, out);
      }
      local(
          () -> {
            try {
              return Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
              return Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
          });
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        log.debug("cannot remove temporary file {}", temp, e);
      }
    }
  }

  /** Network reads and local writes fail differently: only the former are worth a retry. */
  private static void transfer(InputStream in, FileChannel out) throws IOException {
    byte[] buffer = new byte[TRANSFER_BUFFER];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
      local(
          () -> {
            while (chunk.hasRemaining()) {
              out.write(chunk);
            }
            return null;
          });
    }
  }

  /**
   * An object's size and entity tag (for a single-part upload, the hex MD5 of its bytes; for a
   * multipart upload {@code <hex>-<parts>}), as the server states them.
   */
  public record ObjectStat(long size, String etag) {}

  /** {@link StorageException#isNotFound()} when the object does not exist. */
  public ObjectStat stat(String path) throws StorageException {
    ObjectStat stat = statIfExists(path, "stat");
    if (stat == null) {
      throw new StorageException(
          describe(path) + " at " + endpoint + ": no such object", null, true);
    }
    return stat;
  }

  @Override
  public boolean exists(String path) throws StorageException {
    return statIfExists(path, "existence check") != null;
  }

  private ObjectStat statIfExists(String path, String action) throws StorageException {
    String key = key(path);
    return call(
        describe(path),
        action,
        () -> {
          try {
            StatObjectResponse stat =
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return new ObjectStat(stat.size(), stat.etag() == null ? "" : stat.etag());
          } catch (Exception e) {
            if (S3Failure.classify(e).notFound()) {
              return null;
            }
            throw e;
          }
        });
  }

  @Override
  public List<String> list(String listPrefix) throws StorageException {
    ObjectPath.requireValidPrefix(listPrefix);
    int strip = keyBase().length();
    List<String> paths = new ArrayList<>();
    for (String key : listKeys(listPrefix)) {
      paths.add(key.substring(strip));
    }
    paths.sort(null);
    return paths;
  }

  private List<String> listKeys(String listPrefix) throws StorageException {
    String keyPrefix = keyBase() + listPrefix;
    return call(
        describePrefix(listPrefix),
        "list",
        () -> {
          ListObjectsArgs.Builder args = ListObjectsArgs.builder().bucket(bucket).recursive(true);
          if (!keyPrefix.isEmpty()) {
            args.prefix(keyPrefix);
          }
          List<String> keys = new ArrayList<>();
          // the iterable pages lazily; each page is a request that can fail
          for (Result<Item> result : client.listObjects(args.build())) {
            Item item = result.get();
            if (!item.isDir() && !item.isDeleteMarker()) {
              keys.add(item.objectName());
            }
          }
          return keys;
        });
  }

  @Override
  public void copy(String from, String to) throws StorageException {
    String fromKey = key(from);
    String toKey = key(to);
    call(
        describe(from),
        "copy to " + describe(to),
        () ->
            client.copyObject(
                CopyObjectArgs.builder()
                    .bucket(bucket)
                    .object(toKey)
                    .source(SourceObject.builder().bucket(bucket).object(fromKey).build())
                    .build()));
  }

  @Override
  public void delete(String path) throws StorageException {
    String key = key(path);
    call(
        describe(path),
        "delete",
        () -> {
          client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
          return null;
        });
  }

  @Override
  public void deleteAll(String listPrefix) throws StorageException {
    ObjectPath.requireValidPrefix(listPrefix);
    List<String> keys = listKeys(listPrefix);
    for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
      List<DeleteRequest.Object> batch = new ArrayList<>();
      for (String key : keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH))) {
        batch.add(new DeleteRequest.Object(key));
      }
      call(
          describePrefix(listPrefix),
          "delete everything under",
          () -> {
            deleteBatch(batch);
            return null;
          });
    }
  }

  private void deleteBatch(List<DeleteRequest.Object> batch) throws Exception {
    Iterable<Result<DeleteResult.Error>> results =
        client.removeObjects(
            RemoveObjectsArgs.builder().bucket(bucket).objects(batch).maxRetries(1).build());
    // Lazy: the delete requests are sent while iterating, and only errors are returned.
    List<String> problems = new ArrayList<>();
    boolean allTransient = true;
    for (Result<DeleteResult.Error> result : results) {
      DeleteResult.Error error = result.get();
      if ("NoSuchKey".equals(error.code())) {
        continue; // already gone: that is what we want
      }
      problems.add(error.objectName() + ": " + error.code() + " " + error.message());
      allTransient &= S3Failure.isTransientCode(error.code());
    }
    if (!problems.isEmpty()) {
      throw new S3Failure.RejectedDeletes(
          problems.size() + " of " + batch.size() + " objects not deleted, e.g. " + problems.get(0),
          allTransient);
    }
  }

  @Override
  public String describe() {
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (Exception e) {
      log.debug("closing the S3 client of {} failed", describe(), e);
    }
  }

  @Override
  public String toString() {
    return "S3Storage[" + describe() + " at " + endpoint + "]";
  }

  private String describePrefix(String listPrefix) {
    return listPrefix.isEmpty() ? describe() : describe(listPrefix);
  }

  private String keyBase() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  private String key(String path) {
    return keyBase() + ObjectPath.requireValid(path);
  }

  private GetObjectArgs getArgs(String key) {
    return GetObjectArgs.builder().bucket(bucket).object(key).build();
  }

  /**
   * Runs one S3 operation under the shared retry policy and turns its final failure into a {@link
   * StorageException} naming {@code location}, the endpoint and what went wrong.
   */
  private <T> T call(String location, String action, CheckedSupplier<T> operation)
      throws StorageException {
    long start = System.nanoTime();
    AtomicInteger attempts = new AtomicInteger();
    try {
      return retrying.get(
          () -> {
            attempts.incrementAndGet();
            return operation.get();
          });
    } catch (FailsafeException e) {
      throw failure(location, action, e.getCause() == null ? e : e.getCause(), attempts, start);
    } catch (RuntimeException e) {
      throw failure(location, action, e, attempts, start);
    }
  }

  private StorageException failure(
      String location, String action, Throwable cause, AtomicInteger attempts, long start) {
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    S3Failure failure = S3Failure.classify(cause);
    String at = location + " at " + endpoint + ": ";
    if (failure.notFound()) {
      return new StorageException(at + "no such object", cause, true);
    }
    StringBuilder message = new StringBuilder(at).append(action).append(" failed: ");
    message.append(redact(failure.reason()));
    if (attempts.get() > 1) {
      double seconds = (System.nanoTime() - start) / 1e9;
      message.append(
          String.format(
              Locale.ROOT, " (gave up after %d attempts in %.1f s)", attempts.get(), seconds));
    }
    return new StorageException(message.toString(), cause);
  }

  /** Server texts are not ours; make sure no key slips through them into a message. */
  private String redact(String text) {
    String result = text;
    // very short keys (test setups) would garble ordinary words; real keys are 16+ characters
    if (credentials.secretKey().length() >= 4) {
      result = result.replace(credentials.secretKey(), "<secret key>");
    }
    if (credentials.accessKey().length() >= 4) {
      result = result.replace(credentials.accessKey(), "<access key>");
    }
    return result;
  }

  private RetryPolicy<Object> retryPolicy(Duration retryTimeout) {
    RetryPolicyBuilder<Object> policy =
        RetryPolicy.builder()
            .handleIf(S3Failure::isTransient)
            .onRetry(
                event ->
                    log.debug(
                        "S3 request to {} at {} failed ({}), retry {}",
                        describe(),
                        endpoint,
                        redact(S3Failure.classify(event.getLastException()).reason()),
                        event.getAttemptCount()));
    if (retryTimeout.isZero()) {
      return policy.withMaxRetries(0).build();
    }
    Duration maxDelay = min(MAX_RETRY_DELAY, retryTimeout.dividedBy(4));
    Duration firstDelay = min(FIRST_RETRY_DELAY, maxDelay.dividedBy(2));
    return policy
        .withBackoff(firstDelay, maxDelay)
        .withJitter(0.2)
        .withMaxRetries(-1)
        .withMaxDuration(retryTimeout)
        .build();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static OkHttpClient httpClient(Builder builder) {
    Dispatcher dispatcher = new Dispatcher();
    // OkHttp's default of 5 concurrent requests per host would serialize parallel checkpoint
    // uploads from many operator threads.
    dispatcher.setMaxRequests(64);
    dispatcher.setMaxRequestsPerHost(64);
    return new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectTimeout(builder.connectTimeout)
        .readTimeout(builder.requestTimeout)
        .writeTimeout(builder.requestTimeout)
        // the retry policy above is the only retry loop
        .retryOnConnectionFailure(false)
        // drop idle connections before servers and load balancers typically close them
        .connectionPool(new ConnectionPool(16, 30, TimeUnit.SECONDS))
        .protocols(List.of(Protocol.HTTP_1_1))
        .build();
  }

  private interface LocalStep<T> {
    T run() throws IOException;
  }

  private static <T> T local(LocalStep<T> step) {
    try {
      return step.run();
    } catch (IOException e) {
      throw new S3Failure.LocalFileFailure(e);
    }
  }

  /** Configures an {@link S3Storage}; endpoint, bucket and credentials are required. */
  public static final class Builder {
    private String endpoint;
    private String bucket;
    private String prefix = "";
    private S3Credentials credentials;
    private String region = DEFAULT_REGION;
    private Duration retryTimeout = DEFAULT_RETRY_TIMEOUT;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /** {@code http(s)://host[:port]}. */
    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    /** Key prefix; leading and trailing '/' are ignored. Default: none. */
    public Builder prefix(String prefix) {
      this.prefix = prefix == null ? "" : prefix;
      return this;
    }

    public Builder credentials(S3Credentials credentials) {
      this.credentials = credentials;
      return this;
    }

    public Builder credentials(String accessKey, String secretKey) {
      return credentials(new S3Credentials(accessKey, secretKey));
    }

    /** Default {@value #DEFAULT_REGION}. */
    public Builder region(String region) {
      this.region = region == null || region.isBlank() ? DEFAULT_REGION : region;
      return this;
    }

    /**
     * Longest time to keep retrying a transiently failing operation before it fails; zero disables
     * retries. Default 10 s.
     */
    public Builder retryTimeout(Duration retryTimeout) {
      if (retryTimeout.isNegative()) {
        throw new IllegalArgumentException("retry timeout is negative: " + retryTimeout);
      }
      this.retryTimeout = retryTimeout;
      return this;
    }

    /** Longest time to establish one connection. Default 5 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout);
      return this;
    }

    /** Longest pause between two reads or two writes of one request. Default 60 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout);
      return this;
    }

    /**
     * Creates the client; no request is sent (see {@link S3Storage#checkReachable()}).
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public S3Storage build() {
      if (endpoint == null || endpoint.isBlank()) {
        throw new IllegalArgumentException("S3 storage needs an endpoint, e.g. http://minio:9000");
      }
      HttpUrl url = HttpUrl.parse(endpoint.trim());
      if (url == null || !(url.encodedPath().equals("/") || url.encodedPath().isEmpty())) {
        throw new IllegalArgumentException(
            "S3 endpoint must be http(s)://host[:port] without a path: " + endpoint);
      }
      endpoint = endpoint.trim().replaceAll("/+$", "");
      if (bucket == null || bucket.isBlank()) {
        throw new IllegalArgumentException("S3 storage needs a bucket");
      }
      if (credentials == null) {
        throw new IllegalArgumentException("S3 storage needs credentials");
      }
      prefix = prefix.replaceAll("^/+|/+$", "");
      if (!prefix.isEmpty()) {
        ObjectPath.requireValid(prefix);
      }
      return new S3Storage(this);
    }
  }
}
