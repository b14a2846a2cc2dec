package dev.weir.runtime.io;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Where the channels into one receiving subtask deliver, in arrival order. Per-channel order is
 * preserved. Bounded in practice by the channels' credits (events are few).
 *
 * <p>Threading: any sender thread delivers; the receiving task's thread polls.
 */
public final class InputGate {

  /** A buffer or event and the channel it came on. */
  public record Delivery(InputChannel channel, Object payload) {}

  private final int channels;
  private final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();

  public InputGate(int channels) {
    this.channels = channels;
  }

  public int channelCount() {
    return channels;
  }

  /** Called by a channel (any thread) when a buffer or event arrives. */
  public void deliver(InputChannel channel, Object payload) {
    queue.add(new Delivery(channel, payload));
  }

  /** The next delivery, or null after {@code timeoutNanos}. */
  public Delivery poll(long timeoutNanos) throws InterruptedException {
    return timeoutNanos <= 0 ? queue.poll() : queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** Wakes a receiver blocked in {@link #poll} so that it checks its mailbox. */
  public void wakeUp() {
    queue.add(WAKE_UP);
  }

  /** A delivery that carries nothing; the receiver only rechecks its mailbox. */
  public static final Delivery WAKE_UP = new Delivery(null, null);
}
