package dev.weir.checkpoint;

/** A checkpoint or savepoint file is missing, truncated or fails its checksum. */
public class CorruptCheckpointException extends Exception {
  private final String location;

  public CorruptCheckpointException(String location, String problem, Throwable cause) {
    super(location + ": " + problem, cause);
    this.location = location;
  }

  /** Full location of the bad file. */
  public String location() {
    return location;
  }
}
