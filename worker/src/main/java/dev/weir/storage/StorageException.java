package dev.weir.storage;

import java.io.IOException;

/** A storage operation failed; the message names the location. */
public class StorageException extends IOException {
  private final boolean notFound;

  public StorageException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public StorageException(String message, Throwable cause, boolean notFound) {
    super(message, cause);
    this.notFound = notFound;
  }

  /** Whether {@code cause} or one of its causes says the storage could not be reached. */
  public static boolean isUnreachable(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof StorageException s && !s.isNotFound()) {
        return true;
      }
    }
    return false;
  }

  /** The object does not exist (as opposed to: the storage could not be reached). */
  public boolean isNotFound() {
    return notFound;
  }
}
