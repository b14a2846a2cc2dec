package dev.weir.storage;

import dev.failsafe.FailsafeException;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.FileSystemException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * What an S3 request failure means for the caller: retry it (the storage is unreachable, overloaded
 * or failed internally), report the object as not found, or give up at once. Also gives a short
 * human reason for messages, without credentials (the MinIO client redacts them from its own
 * exceptions; no reason here is built from request headers).
 *
 * <p>The MinIO client wraps the same failure differently depending on where it occurred ({@code
 * CompletionException}, {@code IllegalStateException}, a bare {@code MinioException} around an
 * {@code IOException}), so the cause chain is searched for the first failure that says something.
 */
record S3Failure(Kind kind, String reason) {

  enum Kind {
    /** Worth trying again: connection refused/reset, timeout, HTTP 5xx, throttling. */
    TRANSIENT,
    /** The object does not exist. */
    NOT_FOUND,
    /** Retrying cannot help: bad credentials, missing bucket, local file trouble, a bug. */
    PERMANENT
  }

  /** S3 error codes of a request that may succeed when repeated later. */
  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "SlowDown",
          "SlowDownRead",
          "SlowDownWrite",
          "InternalError",
          "ServiceUnavailable",
          "RequestTimeout",
          "Throttling",
          "ThrottlingException",
          "RequestThrottled",
          "RequestLimitExceeded",
          "OperationAborted",
          "XMinioServerNotInitialized");

  /** S3 error codes that mean the credentials (or their permissions) are wrong. */
  private static final Set<String> CREDENTIAL_CODES =
      Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch");

  private static final Pattern RESPONSE_CODE = Pattern.compile("Response code: (\\d{3})");
  private static final int MAX_REASON_LENGTH = 300;

  boolean retryable() {
    return kind == Kind.TRANSIENT;
  }

  boolean notFound() {
    return kind == Kind.NOT_FOUND;
  }

  /** True when the failure is worth retrying; the predicate of the storage's retry policy. */
  static boolean isTransient(Throwable failure) {
    return classify(failure).retryable();
  }

  static boolean isTransientCode(String code) {
    return TRANSIENT_CODES.contains(code);
  }

  static S3Failure classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      S3Failure known = classifyOne(t);
      if (known != null) {
        return known;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    Throwable root = unwrap(failure);
    return new S3Failure(Kind.PERMANENT, describe(root));
  }

  private static S3Failure classifyOne(Throwable t) {
    if (t instanceof LocalFileFailure local) {
      return new S3Failure(Kind.PERMANENT, "local file: " + describe(local.getCause()));
    }
    if (t instanceof RejectedDeletes rejected) {
      return new S3Failure(
          rejected.retryable() ? Kind.TRANSIENT : Kind.PERMANENT, rejected.getMessage());
    }
    if (t instanceof ErrorResponseException e) {
      return ofErrorResponse(e);
    }
    if (t instanceof ServerException e) {
      return ofStatus(e.statusCode(), "HTTP " + e.statusCode() + " from server");
    }
    if (t instanceof InvalidResponseException e) {
      Matcher status = RESPONSE_CODE.matcher(String.valueOf(e.getMessage()));
      String reason = "unexpected non-S3 response: " + e.getMessage();
      return status.find()
          ? ofStatus(Integer.parseInt(status.group(1)), reason)
          : new S3Failure(Kind.PERMANENT, reason);
    }
    if (t instanceof InterruptedException
        || t instanceof java.nio.channels.ClosedByInterruptException) {
      return new S3Failure(Kind.PERMANENT, "interrupted");
    }
    if (t instanceof IOException io) {
      return ofIoException(io);
    }
    return null;
  }

  private static S3Failure ofErrorResponse(ErrorResponseException e) {
    String code = e.errorResponse() == null ? null : e.errorResponse().code();
    int status = e.response() == null ? 0 : e.response().code();
    String message = e.errorResponse() == null ? null : e.errorResponse().message();
    if ("NoSuchKey".equals(code)) {
      return new S3Failure(Kind.NOT_FOUND, "no such object");
    }
    if ("NoSuchBucket".equals(code)) {
      String bucket = e.errorResponse().bucketName();
      return new S3Failure(
          Kind.PERMANENT,
          "bucket "
              + (bucket == null || bucket.isEmpty() ? "" : "'" + bucket + "' ")
              + "does not exist");
    }
    String reason = code + (message == null || message.isEmpty() ? "" : ": " + message);
    if (CREDENTIAL_CODES.contains(code)) {
      reason += " (check the access key, secret key and bucket policy)";
    }
    if (code != null && TRANSIENT_CODES.contains(code)) {
      return new S3Failure(Kind.TRANSIENT, reason);
    }
    return ofStatus(status, reason);
  }

  private static S3Failure ofStatus(int status, String reason) {
    boolean transientStatus = status >= 500 || status == 429 || status == 408;
    return new S3Failure(transientStatus ? Kind.TRANSIENT : Kind.PERMANENT, reason);
  }

  private static S3Failure ofIoException(IOException e) {
    if (e instanceof FileNotFoundException || e instanceof FileSystemException) {
      return new S3Failure(Kind.PERMANENT, "local file: " + describe(e));
    }
    if (e instanceof SSLException) {
      return new S3Failure(Kind.PERMANENT, "TLS: " + describe(e));
    }
    if (e instanceof ConnectException) {
      return new S3Failure(Kind.TRANSIENT, connectReason(e));
    }
    if (e instanceof UnknownHostException) {
      return new S3Failure(Kind.TRANSIENT, "unknown host " + e.getMessage());
    }
    if (e instanceof InterruptedIOException) {
      // OkHttp reports its connect/read/write/call timeouts as InterruptedIOException subclasses
      return new S3Failure(Kind.TRANSIENT, "timed out (" + describe(e) + ")");
    }
    // connection reset, unexpected end of stream, broken pipe...
    return new S3Failure(Kind.TRANSIENT, describe(e));
  }

  private static String connectReason(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.toLowerCase(Locale.ROOT).contains("refused")) {
        return "connection refused";
      }
    }
    return "cannot connect (" + describe(e) + ")";
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null
        && t.getCause() != t
        && (t instanceof CompletionException
            || t instanceof ExecutionException
            || t instanceof FailsafeException
            || t instanceof UncheckedIOException
            || t.getClass() == IllegalStateException.class
            || t.getClass() == RuntimeException.class
            || t.getClass() == io.minio.errors.MinioException.class)) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    String text =
        message == null || message.isBlank()
            ? t.getClass().getSimpleName()
            : t.getClass().getSimpleName() + ": " + message;
    return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH) + "…";
  }

  /** A local-file step of a transfer failed; never retried, never a network problem. */
  static final class LocalFileFailure extends RuntimeException {
    LocalFileFailure(IOException cause) {
      super(cause.getMessage(), cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  /** A multi-object delete answered with per-object errors. */
  static final class RejectedDeletes extends Exception {
    private final boolean retryable;

    RejectedDeletes(String message, boolean retryable) {
      super(message);
      this.retryable = retryable;
    }

    boolean retryable() {
      return retryable;
    }
  }
}
