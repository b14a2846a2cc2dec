package dev.weir.checkpoint.barrier;

/**
 * Which input channels of a task may still deliver barriers: all of them until each reports its
 * end. A barrier handler waits only for the open ones.
 *
 * <p>Threading: owned by the task thread, as the handler that holds it.
 */
final class OpenChannels {
  private final boolean[] ended;
  private int open;

  OpenChannels(int channels) {
    this.ended = new boolean[channels];
    this.open = channels;
  }

  /** All channels, open or ended. */
  int total() {
    return ended.length;
  }

  int count() {
    return open;
  }

  boolean isEnded(int channel) {
    return ended[channel];
  }

  /**
   * Marks {@code channel} ended.
   *
   * @return false when it had ended already (a channel reports its end once; this is idempotent)
   */
  boolean end(int channel) {
    if (ended[channel]) {
      return false;
    }
    ended[channel] = true;
    open--;
    return true;
  }
}
