package dev.weir.runtime.io;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Where the channels into one receiving subtask deliver, in arrival order. Per-channel order is
 * preserved. Bounded in practice by the channels' credits (events are few).
 *
 * <p>For unaligned checkpoints ({@code noticeBarriers}), a checkpoint barrier is also put on a
 * priority queue the moment it arrives, after its in-band copy was queued behind the buffers that
 * came before it: the task takes the notice out of order, ahead of those buffers, and finds the
 * channel's in-flight data by scanning {@link #queued()} up to the in-band copy. Every delivery
 * into the gate comes from the channel's one delivering thread, so the in-band copy is always
 * queued before its notice is visible. Barriers that always align (final ones, savepoints) get no
 * notice.
 *
 * <p>Threading: any sender thread delivers; the receiving task's thread polls and scans.
 */
public final class InputGate {

  /** A buffer or event and the channel it came on. */
  public record Delivery(InputChannel channel, Object payload) {}

  private final int channels;
  private final boolean noticeBarriers;
  private final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedQueue<Delivery> priority = new ConcurrentLinkedQueue<>();

  public InputGate(int channels) {
    this(channels, false);
  }

  /**
   * @param noticeBarriers also announce each arriving barrier on the priority queue (unaligned
   *     checkpoints)
   */
  public InputGate(int channels, boolean noticeBarriers) {
    this.channels = channels;
    this.noticeBarriers = noticeBarriers;
  }

  public int channelCount() {
    return channels;
  }

  /** Called by a channel (any thread) when a buffer or event arrives. */
  public void deliver(InputChannel channel, Object payload) {
    queue.add(new Delivery(channel, payload));
    if (noticeBarriers
        && payload instanceof ChannelEvent.CheckpointBarrier barrier
        && barrier.barrier().canBeUnaligned()) {
      priority.add(new Delivery(channel, payload));
      // a receiver blocked in poll() already woke up for the in-band copy
    }
  }

  /** Whether a barrier notice waits on the priority queue. One volatile read; any thread. */
  public boolean hasPriorityEvent() {
    return !priority.isEmpty();
  }

  /** The oldest barrier notice, or null. Receiving task's thread. */
  public Delivery pollPriority() {
    return priority.poll();
  }

  /**
   * The deliveries waiting in arrival order, for the receiving task to scan for in-flight data. The
   * view is live: deliveries added meanwhile may or may not show, every one queued before the scan
   * began and not polled does. Receiving task's thread.
   */
  public Iterable<Delivery> queued() {
    return queue;
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
