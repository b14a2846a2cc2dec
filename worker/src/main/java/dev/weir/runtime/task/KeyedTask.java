package dev.weir.runtime.task;

import dev.weir.api.Codec;
import dev.weir.checkpoint.BarrierHandler;
import dev.weir.codec.ByteArrayReader;
import dev.weir.graph.Stage;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.InputGate;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.state.SnapshotType;
import java.util.ArrayDeque;
import java.util.TreeSet;

/**
 * Runs a stage after a keyed exchange: reads buffers from its input channels, hands every record
 * with its key group to the keyed operator, and lets a {@link BarrierHandler} decide when to
 * snapshot. Buffers of a blocked channel are parked unrecycled, so that channel's sender runs out
 * of credit and waits: alignment backpressures exactly the early inputs.
 */
public final class KeyedTask extends Task implements BarrierHandler.Actions {
  private final Stage stage;
  private final InputGate gate;
  private final RecordWriter output;
  private final BarrierHandler barriers;
  private final ArrayDeque<InputGate.Delivery>[] parked;
  private final ArrayDeque<InputGate.Delivery> replay = new ArrayDeque<>();
  private final ByteArrayReader reader = new ByteArrayReader();
  private final Codec<Object> codec;
  private int endedChannels;
  private long records;
  // checkpoints whose barrier said savepoint, until this task snapshots or gives them up
  private final TreeSet<Long> savepointIds = new TreeSet<>();

  @SuppressWarnings("unchecked")
  public KeyedTask(TaskContext context, Stage stage, InputGate gate, RecordWriter output) {
    super(context);
    this.stage = stage;
    this.gate = gate;
    this.output = output;
    this.codec = stage.input().recordCodec();
    this.barriers = BarrierHandler.forMode(context.mode(), gate.channelCount(), this);
    this.parked = new ArrayDeque[gate.channelCount()];
    for (int i = 0; i < parked.length; i++) {
      parked[i] = new ArrayDeque<>();
    }
  }

  @Override
  protected void initialize() throws Exception {
    writer = output;
    chain = new OperatorChain(context, stage, output);
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
      InputGate.Delivery delivery = replay.poll();
      if (delivery == null) {
        long wait =
            writer == null
                ? 50_000_000L
                : Math.min(50_000_000L, writer.nanosUntilFlush(System.nanoTime()));
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
        process(head, buffer);
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

  private void onEvent(int channel, ChannelEvent event) {
    if (event instanceof ChannelEvent.CheckpointBarrier barrier) {
      if (barrier.type() == SnapshotType.SAVEPOINT) {
        savepointIds.add(barrier.checkpointId());
      }
      barriers.onBarrier(
          channel,
          barrier.checkpointId(),
          barrier.timestampMillis(),
          barrier.isFinal(),
          System.nanoTime());
    } else if (event instanceof ChannelEvent.CancelCheckpoint cancel) {
      barriers.onAbort(cancel.checkpointId());
    } else if (event instanceof ChannelEvent.EndOfInput) {
      barriers.onEndOfInput(channel);
      if (++endedChannels == gate.channelCount()) {
        if (writer != null) {
          writer.broadcast(new ChannelEvent.EndOfInput());
        }
        finishIfCommitted();
      }
    }
  }

  /** Parked deliveries of channels no longer blocked go first, in their arrival order. */
  private void releaseUnblocked() {
    for (int channel = 0; channel < parked.length; channel++) {
      if (!parked[channel].isEmpty() && !barriers.isBlocked(channel)) {
        replay.addAll(parked[channel]);
        parked[channel].clear();
      }
    }
  }

  @Override
  protected void onCheckpointAborted(long checkpointId) {
    barriers.onAbort(checkpointId);
    releaseUnblocked();
    savepointIds.remove(checkpointId);
    if (checkpointId == finalCheckpointId && !finishing) {
      finalCheckpointId = Long.MAX_VALUE; // a stop-with-savepoint failed: the job goes on
    }
  }

  // ---- BarrierHandler.Actions ----

  @Override
  public void snapshot(
      long checkpointId, long timestampMillis, boolean isFinal, long alignmentNanos) {
    SnapshotType type =
        savepointIds.contains(checkpointId) ? SnapshotType.SAVEPOINT : SnapshotType.CHECKPOINT;
    savepointIds.headSet(checkpointId, true).clear();
    performCheckpoint(checkpointId, timestampMillis, isFinal, type, alignmentNanos);
  }

  @Override
  public void abort(long checkpointId) {
    if (writer != null) {
      writer.broadcast(new ChannelEvent.CancelCheckpoint(checkpointId));
    }
  }
}
