package dev.weir.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failsafe.FailsafeException;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.MinioException;
import io.minio.errors.ServerException;
import io.minio.messages.ErrorResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class S3FailureTest {

  @Test
  void retriesARefusedConnectionHoweverTheClientWrapsIt() {
    ConnectException refused = new ConnectException("Failed to connect to /127.0.0.1:9000");
    refused.initCause(new ConnectException("Connection refused"));

    for (Throwable wrapped :
        new Throwable[] {
          refused,
          new IllegalStateException(refused),
          new CompletionException(refused),
          new MinioException(refused),
          new FailsafeException(new MinioException(refused))
        }) {
      S3Failure failure = S3Failure.classify(wrapped);
      assertThat(failure.kind()).as("%s", wrapped).isEqualTo(S3Failure.Kind.TRANSIENT);
      assertThat(failure.reason()).isEqualTo("connection refused");
    }
  }

  @Test
  void retriesResetsAndTimeouts() {
    assertThat(S3Failure.isTransient(new SocketException("Connection reset"))).isTrue();
    assertThat(S3Failure.isTransient(new SocketTimeoutException("timeout"))).isTrue();
    assertThat(S3Failure.isTransient(new IOException("unexpected end of stream"))).isTrue();
    assertThat(S3Failure.classify(new SocketTimeoutException("read timed out")).reason())
        .contains("timed out");
  }

  @Test
  void retriesServerErrorsAndThrottling() {
    assertThat(S3Failure.isTransient(errorResponse("SlowDown", 503))).isTrue();
    assertThat(S3Failure.isTransient(errorResponse("InternalError", 500))).isTrue();
    assertThat(S3Failure.isTransient(errorResponse("SomethingNew", 502))).isTrue();
    assertThat(S3Failure.isTransient(new ServerException("server failed", 503, "trace"))).isTrue();
    assertThat(
            S3Failure.isTransient(
                new InvalidResponseException(503, "text/html", "<html>busy</html>", "trace")))
        .isTrue();
  }

  @Test
  void reportsAMissingKeyAsNotFound() {
    S3Failure failure = S3Failure.classify(errorResponse("NoSuchKey", 404));

    assertThat(failure.notFound()).isTrue();
    assertThat(failure.retryable()).isFalse();
  }

  @Test
  void givesUpAtOnceOnClientErrors() {
    assertThat(S3Failure.classify(errorResponse("AccessDenied", 403)).kind())
        .isEqualTo(S3Failure.Kind.PERMANENT);
    assertThat(S3Failure.classify(errorResponse("SignatureDoesNotMatch", 403)).reason())
        .startsWith("SignatureDoesNotMatch");
    assertThat(S3Failure.isTransient(new ServerException("bad", 400, "trace"))).isFalse();
    assertThat(
            S3Failure.isTransient(
                new InvalidResponseException(400, "text/html", "<html>no</html>", "trace")))
        .isFalse();
    assertThat(S3Failure.isTransient(new IllegalArgumentException("bug"))).isFalse();
  }

  @Test
  void explainsAMissingBucket() {
    S3Failure failure = S3Failure.classify(errorResponse("NoSuchBucket", 404));

    assertThat(failure.kind()).isEqualTo(S3Failure.Kind.PERMANENT);
    assertThat(failure.reason()).isEqualTo("bucket 'the-bucket' does not exist");
  }

  @Test
  void neverRetriesLocalFileTrouble() {
    S3Failure full =
        S3Failure.classify(new S3Failure.LocalFileFailure(new IOException("No space left")));
    assertThat(full.kind()).isEqualTo(S3Failure.Kind.PERMANENT);
    assertThat(full.reason()).contains("local file", "No space left");

    assertThat(S3Failure.isTransient(new NoSuchFileException("/tmp/x"))).isFalse();
  }

  @Test
  void retriesRejectedDeletesOnlyWhenEveryErrorIsTransient() {
    assertThat(S3Failure.isTransient(new S3Failure.RejectedDeletes("1 of 2", true))).isTrue();
    assertThat(S3Failure.isTransient(new S3Failure.RejectedDeletes("1 of 2", false))).isFalse();
  }

  @Test
  void treatsInterruptionAsFinal() {
    assertThat(S3Failure.isTransient(new FailsafeException(new InterruptedException()))).isFalse();
  }

  private static ErrorResponseException errorResponse(String code, int status) {
    Response response =
        new Response.Builder()
            .request(new Request.Builder().url("http://127.0.0.1:9000/the-bucket/key").build())
            .protocol(Protocol.HTTP_1_1)
            .code(status)
            .message("status " + status)
            .build();
    return new ErrorResponseException(
        new ErrorResponse(
            code, "message of " + code, "the-bucket", "key", "/the-bucket/key", "req", "host"),
        response,
        "trace");
  }
}
