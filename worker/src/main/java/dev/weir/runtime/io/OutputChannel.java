package dev.weir.runtime.io;

/**
 * The sending end of a channel to one receiving subtask, in this process or across the network.
 * Used by one thread (the sending task's). A sender may only fill buffers the receiver granted
 * credit for: {@link #requestBuffer()} waits for credit, which is how backpressure reaches it.
 */
public interface OutputChannel {
  /** A buffer to fill, waiting for credit if the receiver has none to give. */
  Buffer requestBuffer() throws InterruptedException;

  /** Sends a filled buffer; the buffer belongs to the channel again afterwards. */
  void send(Buffer buffer);

  /** Sends an event after everything sent before it; takes no credit. */
  void send(ChannelEvent event);

  /**
   * Waits up to {@code nanos} until {@link #requestBuffer()} would not block. Takes nothing.
   *
   * @return whether a buffer is available now
   */
  default boolean awaitCredit(long nanos) throws InterruptedException {
    return true; // a channel whose requestBuffer never waits
  }

  /** Gives back a requested buffer that will not be sent. */
  void release(Buffer buffer);

  /** Releases network resources; nothing is sent afterwards. */
  default void close() {}
}
