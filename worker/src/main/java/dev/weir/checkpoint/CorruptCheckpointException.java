package dev.weir.checkpoint;

import dev.weir.failure.ClassifiedFailure;
import dev.weir.failure.FailureKind;

/** A checkpoint or savepoint file is missing, truncated or fails its checksum. */
public class CorruptCheckpointException extends Exception implements ClassifiedFailure {
  private final String location;

  public CorruptCheckpointException(String location, String problem, Throwable cause) {
    super(location + ": " + problem, cause);
    this.location = location;
  }

  /** Full location of the bad file. */
  public String location() {
    return location;
  }

  @Override
  public FailureKind failureKind() {
    return FailureKind.STATE_UNREADABLE;
  }
}
