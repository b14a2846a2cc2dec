package dev.weir.net;

/** A network channel to another worker broke (the worker died or the network failed). */
public class ChannelBrokenException extends RuntimeException {
  public ChannelBrokenException(String message, Throwable cause) {
    super(message, cause);
  }
}
