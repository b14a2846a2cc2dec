package dev.weir.runtime.io;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-process channel from one sending subtask to one receiving subtask, with credit-based flow
 * control: the sender can only fill the {@code credits} buffers the receiver has handed back, so a
 * slow receiver backpressures the sender without unbounded queues. Events take no credit.
 *
 * <p>Threading: {@link #requestBuffer}/{@link #send} on the sender's thread, {@link #recycle} on
 * the receiver's; the queues are the only shared state.
 */
public final class Channel implements OutputChannel, InputChannel {
  private final int index;
  private final InputGate receiver;
  private final BlockingQueue<Buffer> free;

  public Channel(int index, InputGate receiver, int credits, int bufferSize) {
    this.index = index;
    this.receiver = receiver;
    this.free = new ArrayBlockingQueue<>(credits);
    for (int i = 0; i < credits; i++) {
      free.add(new Buffer(bufferSize));
    }
  }

  @Override
  public int index() {
    return index;
  }

  /** Takes a free buffer, waiting for the receiver to hand one back (backpressure). */
  @Override
  public Buffer requestBuffer() throws InterruptedException {
    Buffer buffer = free.take();
    buffer.length(0);
    return buffer;
  }

  @Override
  public boolean awaitCredit(long nanos) throws InterruptedException {
    if (!free.isEmpty()) {
      return true;
    }
    Buffer buffer = free.poll(nanos, TimeUnit.NANOSECONDS);
    if (buffer == null) {
      return false;
    }
    free.offer(buffer);
    return true;
  }

  @Override
  public void send(Buffer buffer) {
    receiver.deliver(this, buffer);
  }

  @Override
  public void send(ChannelEvent event) {
    receiver.deliver(this, event);
  }

  @Override
  public void recycle(Buffer buffer) {
    free.offer(buffer);
  }

  @Override
  public void release(Buffer buffer) {
    free.offer(buffer);
  }

  /** Buffers the receiver holds (sent but not recycled), for backpressure statistics. */
  public int buffersInFlight(int credits) {
    return credits - free.size();
  }
}
