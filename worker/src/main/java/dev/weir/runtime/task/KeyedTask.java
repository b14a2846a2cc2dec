package dev.weir.runtime.task;

import dev.weir.api.Codec;
import dev.weir.checkpoint.barrier.Barrier;
import dev.weir.checkpoint.barrier.BarrierHandler;
import dev.weir.codec.ByteArrayReader;
import dev.weir.graph.Stage;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.InputChannel;
import dev.weir.runtime.io.InputGate;
import dev.weir.runtime.io.RecordWriter;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * Runs a stage after a keyed exchange: reads buffers from its input channels, hands every record
 * with its key group to the keyed operator, and feeds every barrier, cancellation and end of input
 * to a {@link BarrierHandler}, which decides when the {@link SubtaskCheckpointCoordinator}
 * snapshots. Buffers of a blocked channel are parked unrecycled, so that channel's sender runs out
 * of credit and waits: alignment backpressures exactly the early inputs.
 *
 * <p>With unaligned checkpoints the task also looks at the gate's barrier notices between any two
 * records, so a barrier is taken within one record of its arrival however slow the operators are.
 * On an unaligned snapshot it copies, per channel, what is not processed yet and lies in front of
 * the channel's in-band barrier — the rest of the buffer being processed, parked and replayed
 * deliveries, then the gate's queue — into the checkpoint's channel state. The originals are
 * processed and recycled as usual, so credits flow as without a checkpoint. On restore, the input
 * channel state is replayed before any delivery from the gate.
 *
 * <p>Threading: everything here runs on the task thread, the barrier handler's actions too.
 */
public final class KeyedTask extends Task implements BarrierHandler.Actions {
  private final Stage stage;
  private final InputGate gate;
  private final BarrierHandler barriers;
  private final boolean unaligned;
  private final ArrayDeque<InputGate.Delivery>[] parked;
  private final ArrayDeque<InputGate.Delivery> replay = new ArrayDeque<>();
  private final ByteArrayReader reader = new ByteArrayReader();
  private final Codec<Object> codec;
  private int endedChannels;
  private long records;

  // the buffer being processed, for a snapshot taken between two of its records
  private Buffer current;
  private int currentChannel;
  // the checkpoint whose channel state holds the rest of the current buffer, else -1 (a buffer can
  // outlive a checkpoint: a slow sink may take longer for one than the checkpoint interval)
  private long currentPersistedFor = -1;

  @SuppressWarnings("unchecked")
  public KeyedTask(TaskContext context, Stage stage, InputGate gate, RecordWriter output) {
    super(context, output, true);
    this.stage = stage;
    this.gate = gate;
    this.codec = stage.input().recordCodec();
    this.unaligned = context.unaligned();
    this.barriers = BarrierHandler.forConfig(context.checkpointConfig(), gate.channelCount(), this);
    this.parked = new ArrayDeque[gate.channelCount()];
    for (int i = 0; i < parked.length; i++) {
      parked[i] = new ArrayDeque<>();
    }
  }

  @Override
  protected void initialize() throws Exception {
    chain = new OperatorChain(context, stage, writer);
    for (Map.Entry<Integer, byte[]> input : checkpoints.restore(chain).entrySet()) {
      replay.add(
          new InputGate.Delivery(
              new RecoveredChannel(input.getKey()), Buffer.wrap(input.getValue())));
    }
  }

  @Override
  protected void wakeUp() {
    gate.wakeUp();
  }

  @Override
  protected void loop() throws Exception {
    OperatorChain.KeyedHead head = chain.keyedHead();
    while (!done) {
      checkCancelled();
      drainMailbox();
      if (unaligned) {
        takePriorityEvents();
      }
      InputGate.Delivery delivery = replay.poll();
      if (delivery == null) {
        long now = System.nanoTime();
        long wait =
            writer == null ? 50_000_000L : Math.min(50_000_000L, writer.nanosUntilFlush(now));
        if (unaligned) {
          wait = Math.max(1, Math.min(wait, barriers.nanosUntilTimeout(now)));
        }
        delivery = gate.poll(wait);
      }
      if (delivery == null || delivery == InputGate.WAKE_UP) {
        if (writer != null) {
          writer.flushIfDue(System.nanoTime());
        }
        continue;
      }
      int channel = delivery.channel().index();
      if (barriers.isBlocked(channel)) {
        parked[channel].add(delivery);
        continue;
      }
      if (delivery.payload() instanceof Buffer buffer) {
        if (unaligned) {
          processWatchingBarriers(head, buffer, channel);
        } else {
          process(head, buffer);
        }
        delivery.channel().recycle(buffer);
        if (writer != null) {
          writer.flushIfDue(System.nanoTime());
        }
      } else {
        onEvent(channel, (ChannelEvent) delivery.payload());
        releaseUnblocked();
      }
    }
  }

  private void process(OperatorChain.KeyedHead head, Buffer buffer) {
    ByteArrayReader in = reader.wrap(buffer.data(), 0, buffer.length());
    long n = records;
    while (in.remaining() > 0) {
      int keyGroup = (in.readByte() & 0xff) << 8 | (in.readByte() & 0xff);
      head.process(codec.read(in), keyGroup);
      n++;
    }
    records = n;
    publishRecords(n);
  }

  /**
   * {@link #process}, taking barrier notices (and alignment timeouts) between two records. While an
   * unaligned snapshot waits for this channel's barrier, what is processed from the channel lies
   * before that barrier but after the snapshot, so it is persisted as channel state as well: the
   * whole buffer when it starts, or the rest of it when the snapshot is taken inside it.
   */
  private void processWatchingBarriers(OperatorChain.KeyedHead head, Buffer buffer, int channel) {
    ByteArrayReader in = reader.wrap(buffer.data(), 0, buffer.length());
    long n = records;
    current = buffer;
    currentChannel = channel;
    currentPersistedFor = persistProcessed(channel, buffer, 0);
    try {
      while (in.remaining() > 0) {
        int keyGroup = (in.readByte() & 0xff) << 8 | (in.readByte() & 0xff);
        head.process(codec.read(in), keyGroup);
        n++;
        if (gate.hasPriorityEvent()
            || ((n & 63) == 0 && barriers.nanosUntilTimeout(System.nanoTime()) == 0)) {
          records = n;
          takePriorityEvents(); // may snapshot: persistInFlight reads the reader's position
          long capturing = barriers.capturingCheckpoint(channel);
          if (capturing >= 0 && capturing != currentPersistedFor && in.remaining() > 0) {
            currentPersistedFor = persistProcessed(channel, buffer, reader.position());
          }
        }
      }
    } finally {
      current = null;
    }
    records = n;
    publishRecords(n);
  }

  /**
   * Persists {@code buffer} from {@code offset} as input channel state if an unaligned snapshot is
   * waiting for this channel's barrier.
   *
   * @return the checkpoint it was persisted for, or -1
   */
  private long persistProcessed(int channel, Buffer buffer, int offset) {
    long checkpointId = barriers.capturingCheckpoint(channel);
    if (checkpointId < 0) {
      return -1;
    }
    ChannelStateWriter state = checkpoints.inFlightState(checkpointId);
    if (state == null) {
      return -1; // the snapshot was declined
    }
    state.addInput(channel, buffer.data(), offset, buffer.length() - offset);
    return checkpointId;
  }

  /** Hands the gate's barrier notices to the handler, and lets an alignment time out. */
  private void takePriorityEvents() {
    InputGate.Delivery notice;
    while ((notice = gate.pollPriority()) != null) {
      Barrier barrier = ((ChannelEvent.CheckpointBarrier) notice.payload()).barrier();
      barriers.onBarrierNotice(notice.channel().index(), barrier, System.nanoTime());
    }
    barriers.checkTimeout(System.nanoTime());
    releaseUnblocked();
  }

  private void onEvent(int channel, ChannelEvent event) {
    if (event instanceof ChannelEvent.CheckpointBarrier barrier) {
      barriers.onBarrier(channel, barrier.barrier(), System.nanoTime());
    } else if (event instanceof ChannelEvent.CancelCheckpoint cancel) {
      barriers.onAbort(cancel.checkpointId(), System.nanoTime());
    } else if (event instanceof ChannelEvent.EndOfInput) {
      barriers.onEndOfInput(channel, System.nanoTime());
      if (++endedChannels == gate.channelCount()) {
        if (writer != null) {
          writer.broadcast(new ChannelEvent.EndOfInput());
        }
        finishIfCommitted();
      }
    }
  }

  /**
   * Parked deliveries of channels no longer blocked go first. They are older than anything of their
   * channel still waiting in {@link #replay}, so they go in front of it, in arrival order.
   */
  private void releaseUnblocked() {
    for (int channel = 0; channel < parked.length; channel++) {
      if (!parked[channel].isEmpty() && !barriers.isBlocked(channel)) {
        Iterator<InputGate.Delivery> newestFirst = parked[channel].descendingIterator();
        while (newestFirst.hasNext()) {
          replay.addFirst(newestFirst.next());
        }
        parked[channel].clear();
      }
    }
  }

  @Override
  protected void afterCheckpointAborted(long checkpointId) {
    barriers.onAbort(checkpointId, System.nanoTime());
    releaseUnblocked();
  }

  // ---- BarrierHandler.Actions: the handler's decisions, carried out by the coordinator ----

  @Override
  public void snapshot(Barrier barrier, long alignmentNanos) {
    checkpoints.checkpointState(barrier, alignmentNanos, false);
  }

  @Override
  public void snapshotUnaligned(Barrier barrier, long alignmentNanos) {
    checkpoints.checkpointState(barrier, alignmentNanos, true);
  }

  /**
   * Copies what of {@code channel} is not processed yet up to its in-band barrier, in channel
   * order: the rest of the current buffer, parked deliveries, replayed ones, then the gate's queue.
   * The barrier's in-band copy was queued before its notice became visible, so the scan finds it.
   */
  @Override
  public void persistInFlight(long checkpointId, int channel) {
    ChannelStateWriter state = checkpoints.inFlightState(checkpointId);
    if (state == null) {
      return; // the snapshot was declined
    }
    if (current != null && currentChannel == channel && currentPersistedFor != checkpointId) {
      int position = reader.position();
      state.addInput(channel, current.data(), position, current.length() - position);
      currentPersistedFor = checkpointId;
    }
    if (persistUntilBarrier(parked[channel], channel, checkpointId, state)
        || persistUntilBarrier(replay, channel, checkpointId, state)
        || persistUntilBarrier(gate.queued(), channel, checkpointId, state)) {
      return;
    }
    throw new IllegalStateException(
        "checkpoint "
            + checkpointId
            + ": the barrier of input channel "
            + channel
            + " was announced but is not in the queue");
  }

  /** Copies the channel's buffers of {@code deliveries}; true once its barrier was reached. */
  private static boolean persistUntilBarrier(
      Iterable<InputGate.Delivery> deliveries,
      int channel,
      long checkpointId,
      ChannelStateWriter state) {
    for (InputGate.Delivery delivery : deliveries) {
      if (delivery.channel() == null || delivery.channel().index() != channel) {
        continue;
      }
      Object payload = delivery.payload();
      if (payload instanceof Buffer buffer) {
        state.addInput(channel, buffer.data(), 0, buffer.length());
      } else if (payload instanceof ChannelEvent.CheckpointBarrier barrier
          && barrier.checkpointId() >= checkpointId) {
        return true;
      } else if (payload instanceof ChannelEvent.EndOfInput) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void inFlightCaptured(long checkpointId) {
    checkpoints.completeInFlight(checkpointId);
  }

  @Override
  public void abort(long checkpointId) {
    checkpoints.abortCheckpoint(checkpointId);
  }

  /** Where restored input channel state comes from: a channel that recycles into nothing. */
  private record RecoveredChannel(int index) implements InputChannel {
    @Override
    public void recycle(Buffer buffer) {}
  }
}
