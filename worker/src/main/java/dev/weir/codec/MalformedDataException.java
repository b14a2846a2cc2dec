package dev.weir.codec;

/** Bytes that do not decode: truncated, corrupt, or of an unknown format version. */
public class MalformedDataException extends RuntimeException {
  public MalformedDataException(String message) {
    super(message);
  }

  public MalformedDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
