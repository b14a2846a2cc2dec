package dev.weir.usercode;

/**
 * The job's code cannot be used: its jar is missing, unreadable, corrupt or incomplete, or its
 * entry class is not in it or is no job. Thrown at start, before anything is deployed; the message
 * names the manifest field ({@code spec.job.jarURI} or {@code spec.job.entryClass}) and the jar's
 * URI, and never a credential.
 */
public final class InvalidUserCodeException extends Exception {
  private final String field;

  InvalidUserCodeException(String field, String message) {
    this(field, message, null);
  }

  InvalidUserCodeException(String field, String message, Throwable cause) {
    super(field + ": " + message, cause);
    this.field = field;
  }

  /** The manifest field at fault: {@code spec.job.jarURI} or {@code spec.job.entryClass}. */
  public String field() {
    return field;
  }
}
