package dev.weir.runtime.io;

/** A serialized record does not fit in one network buffer. */
public class RecordTooLargeException extends RuntimeException {
  public RecordTooLargeException(int size, int capacity) {
    super(
        "a serialized record of "
            + size
            + " bytes exceeds the buffer size of "
            + capacity
            + " bytes (records must fit in one buffer)");
  }
}
