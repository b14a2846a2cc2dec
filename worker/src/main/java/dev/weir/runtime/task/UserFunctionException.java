package dev.weir.runtime.task;

import dev.weir.failure.ClassifiedFailure;
import dev.weir.failure.FailureKind;

/**
 * A job's function (or source, or sink) threw; carries the operator's uid. {@link
 * FailureKind#USER_CODE}, unless a cause states a closer fact (a storage error inside a sink's
 * {@code open} is the storage's).
 */
public class UserFunctionException extends RuntimeException implements ClassifiedFailure {
  public UserFunctionException(String uid, Throwable cause) {
    super("operator '" + uid + "' failed: " + cause, cause);
  }

  @Override
  public FailureKind failureKind() {
    return FailureKind.USER_CODE;
  }
}
