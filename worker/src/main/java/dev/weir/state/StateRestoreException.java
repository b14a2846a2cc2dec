package dev.weir.state;

import dev.weir.failure.ClassifiedFailure;
import dev.weir.failure.FailureKind;
import java.io.IOException;

/**
 * Keyed state could not be restored: a snapshot file is missing, truncated, corrupt, of an unknown
 * format or written by another backend. The message names the file ({@code
 * CheckpointStorage.describe(path)}) when one is to blame. Thrown on the thread that restores (a
 * task thread) or verifies (the job master's main thread).
 */
public class StateRestoreException extends IOException implements ClassifiedFailure {
  public StateRestoreException(String message) {
    super(message);
  }

  public StateRestoreException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public FailureKind failureKind() {
    return FailureKind.STATE_UNREADABLE;
  }
}
