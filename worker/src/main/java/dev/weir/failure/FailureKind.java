package dev.weir.failure;

/**
 * What a failure is, stated where that is known (the reader that found a file corrupt, the storage
 * client that could not connect, the runtime calling a user function) rather than guessed from
 * where it surfaced. The job master decides on it ({@code FailoverPolicy}); it travels with a
 * task's failure from a worker to the coordinator.
 */
public enum FailureKind {
  /**
   * A snapshot's state cannot be read: a file missing, truncated, corrupt or of an unknown format.
   * Retrying the same snapshot fails the same way; an older one may do.
   */
  STATE_UNREADABLE,
  /** The storage could not be reached (connection, timeout, server error): may pass. */
  STORAGE_UNREACHABLE,
  /** The job's own code threw (a function, source or sink, including its {@code open}). */
  USER_CODE,
  /**
   * Everything else: a worker lost, a deployment that did not come up, a checkpoint failing too
   * often, an error of the runtime itself. Also what a failure no code classified counts as.
   */
  INFRASTRUCTURE;

  /**
   * The kind of {@code failure}: the one stated by the innermost {@link ClassifiedFailure} in its
   * cause chain (the closest to the fact: a storage error inside a user function's {@code open} is
   * the storage's), else {@link #INFRASTRUCTURE}.
   */
  public static FailureKind of(Throwable failure) {
    FailureKind kind = INFRASTRUCTURE;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ClassifiedFailure classified && classified.failureKind() != null) {
        kind = classified.failureKind();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return kind;
  }
}
