package dev.weir.storage;

import dev.weir.failure.ClassifiedFailure;
import dev.weir.failure.FailureKind;
import java.io.IOException;

/**
 * A storage operation failed; the message names the location. A missing object states no failure
 * kind (whoever needed it knows what its absence means); any other failure is {@link
 * FailureKind#STORAGE_UNREACHABLE}.
 */
public class StorageException extends IOException implements ClassifiedFailure {
  private final boolean notFound;

  public StorageException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public StorageException(String message, Throwable cause, boolean notFound) {
    super(message, cause);
    this.notFound = notFound;
  }

  @Override
  public FailureKind failureKind() {
    return notFound ? null : FailureKind.STORAGE_UNREACHABLE;
  }

  /** The object does not exist (as opposed to: the storage could not be reached). */
  public boolean isNotFound() {
    return notFound;
  }
}
