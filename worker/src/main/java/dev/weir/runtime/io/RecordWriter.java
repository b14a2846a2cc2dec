package dev.weir.runtime.io;

import dev.weir.api.Collector;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.graph.Exchange;
import dev.weir.state.KeyGroupRangeAssignment;

/**
 * The sending end of a keyed exchange: routes each record to the subtask owning its key group and
 * appends it, framed as {@code [keyGroup:2][record]}, to that channel's current buffer. A buffer is
 * sent when full, when {@link #flushIfDue} finds it older than the buffer timeout, or before an
 * event. No allocation per record beyond what the codecs do.
 *
 * <p>Threading: owned by the sending task's thread.
 */
public final class RecordWriter implements Collector<Object> {
  private final Exchange exchange;
  private final OutputChannel[] channels;
  private final Buffer[] current;
  private final int maxParallelism;
  private final long bufferTimeoutNanos;
  private final ByteArrayWriter keyScratch = new ByteArrayWriter(64);
  private final ByteArrayWriter recordScratch = new ByteArrayWriter(256);
  private long oldestUnsentNanos = Long.MAX_VALUE;
  private long recordsOut;

  public RecordWriter(
      Exchange exchange, OutputChannel[] channels, int maxParallelism, long bufferTimeoutNanos) {
    this.exchange = exchange;
    this.channels = channels;
    this.current = new Buffer[channels.length];
    this.maxParallelism = maxParallelism;
    this.bufferTimeoutNanos = bufferTimeoutNanos;
  }

  @Override
  public void collect(Object record) {
    Object key = exchange.keySelector().key(record);
    keyScratch.reset();
    exchange.keyCodec().write(key, keyScratch);
    int keyGroup =
        KeyGroupRangeAssignment.keyGroupOf(
            keyScratch.array(), 0, keyScratch.position(), maxParallelism);
    int target =
        KeyGroupRangeAssignment.subtaskForKeyGroup(maxParallelism, channels.length, keyGroup);
    recordScratch.reset();
    recordScratch.writeByte(keyGroup >>> 8);
    recordScratch.writeByte(keyGroup);
    exchange.recordCodec().write(record, recordScratch);
    append(target, recordScratch.array(), 0, recordScratch.position());
    recordsOut++;
  }

  private void append(int target, byte[] bytes, int offset, int length) {
    Buffer buffer = current[target];
    if (buffer != null && buffer.length() + length > buffer.capacity()) {
      channels[target].send(buffer);
      buffer = null;
    }
    if (buffer == null) {
      buffer = request(target);
      if (length > buffer.capacity()) {
        channels[target].release(buffer);
        throw new RecordTooLargeException(length, buffer.capacity());
      }
      current[target] = buffer;
      if (oldestUnsentNanos == Long.MAX_VALUE) {
        oldestUnsentNanos = System.nanoTime();
      }
    }
    System.arraycopy(bytes, offset, buffer.data(), buffer.length(), length);
    buffer.length(buffer.length() + length);
  }

  private Buffer request(int target) {
    try {
      return channels[target].requestBuffer();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskInterruptedException();
    }
  }

  /** Sends the buffers filled so far if the oldest waited longer than the buffer timeout. */
  public void flushIfDue(long nowNanos) {
    if (oldestUnsentNanos != Long.MAX_VALUE && nowNanos - oldestUnsentNanos >= bufferTimeoutNanos) {
      flush();
    }
  }

  /** Nanoseconds until {@link #flushIfDue} would flush; {@code Long.MAX_VALUE} if nothing waits. */
  public long nanosUntilFlush(long nowNanos) {
    return oldestUnsentNanos == Long.MAX_VALUE
        ? Long.MAX_VALUE
        : Math.max(0, bufferTimeoutNanos - (nowNanos - oldestUnsentNanos));
  }

  public void flush() {
    for (int i = 0; i < current.length; i++) {
      if (current[i] != null) {
        channels[i].send(current[i]);
        current[i] = null;
      }
    }
    oldestUnsentNanos = Long.MAX_VALUE;
  }

  /** Receives the bytes a barrier overtook on one channel (output channel state). */
  @FunctionalInterface
  public interface OvertakenOutput {
    void accept(int channel, byte[] data, int offset, int length);
  }

  /**
   * Sends {@code barrier} on every channel ahead of the records filled in but not sent yet, which
   * are handed to {@code overtaken} (they stay buffered and are sent after the barrier). Nothing
   * else on this side can be overtaken: a buffer is only filled with credit and is on its way to
   * the receiver as soon as it is sent.
   */
  public void broadcastOvertaking(
      ChannelEvent.CheckpointBarrier barrier, OvertakenOutput overtaken) {
    for (int i = 0; i < channels.length; i++) {
      Buffer buffer = current[i];
      if (buffer != null && buffer.length() > 0) {
        overtaken.accept(i, buffer.data(), 0, buffer.length());
      }
      channels[i].send(barrier);
    }
  }

  /**
   * Restores the output a barrier overtook on {@code channel} (output channel state): it becomes
   * the start of that channel's output, ahead of any new record. Before the first record. It is
   * appended record by record, so output taken with larger buffers than this channel's (a channel
   * between workers restored as a channel within one process) spreads over as many as it needs.
   */
  public void restoreOutput(int channel, byte[] bytes) {
    if (bytes.length > 0 && current[channel] != null) {
      throw new IllegalStateException("output of channel " + channel + " restored after records");
    }
    ByteArrayReader records = new ByteArrayReader(bytes, 0, bytes.length);
    while (records.remaining() > 0) {
      int start = records.position();
      records.skip(2); // key group
      exchange.recordCodec().read(records);
      append(channel, bytes, start, records.position() - start);
    }
  }

  /**
   * Waits up to {@code nanos} until every channel has credit, so that a batch of records is
   * unlikely to block the task (which could not take a checkpoint while blocked).
   *
   * @return whether every channel has credit now
   */
  public boolean awaitAvailable(long nanos) {
    try {
      for (OutputChannel channel : channels) {
        if (!channel.awaitCredit(nanos)) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskInterruptedException();
    }
  }

  /** Sends what is buffered, then the event on every channel. */
  public void broadcast(ChannelEvent event) {
    flush();
    for (OutputChannel channel : channels) {
      channel.send(event);
    }
  }

  /** Closes every channel (network streams); called when the task ends. */
  public void close() {
    for (OutputChannel channel : channels) {
      channel.close();
    }
  }

  public long recordsOut() {
    return recordsOut;
  }
}
