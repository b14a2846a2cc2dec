package dev.weir.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.api.Codecs;
import dev.weir.checkpoint.barrier.Barrier;
import dev.weir.graph.Exchange;
import dev.weir.state.SnapshotType;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CreditBasedChannelTest {

  private static ChannelEvent.CheckpointBarrier barrier(long id, boolean isFinal) {
    return new ChannelEvent.CheckpointBarrier(
        new Barrier(id, 1_767_225_600_000L, SnapshotType.CHECKPOINT, isFinal));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Exchange byString() {
    return new Exchange(
        s -> s, (dev.weir.api.Codec) Codecs.STRING, (dev.weir.api.Codec) Codecs.STRING);
  }

  @Test
  void aSenderWithoutCreditWaitsUntilTheReceiverHandsABufferBack() throws Exception {
    InputGate gate = new InputGate(1);
    Channel channel = new Channel(0, gate, 2, 64);
    channel.send(channel.requestBuffer());
    channel.send(channel.requestBuffer());

    CompletableFuture<Buffer> third =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return channel.requestBuffer();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.onSpinWait();
    assertThat(third).isNotDone();

    InputGate.Delivery delivered = gate.poll(0);
    channel.recycle((Buffer) delivered.payload());

    await().atMost(Duration.ofSeconds(5)).until(third::isDone);
  }

  @Test
  void aReceiverThatStopsReadingStopsTheWriterAfterItsCreditsAreFilled() throws Exception {
    InputGate gate = new InputGate(1);
    Channel channel = new Channel(0, gate, 3, 128);
    RecordWriter writer =
        new RecordWriter(byString(), new Channel[] {channel}, 128, 1_000_000_000L);
    AtomicLong written = new AtomicLong();
    Thread sender =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < 100_000; i++) {
                  writer.collect("record-" + i);
                  written.incrementAndGet();
                }
              } catch (TaskInterruptedException cancelled) {
                // the test stops us
              }
            });
    sender.start();

    // three buffers of 128 bytes hold a few dozen records: the writer must stall there
    await().atMost(Duration.ofSeconds(5)).until(() -> sender.getState() == Thread.State.WAITING);
    long stalledAt = written.get();
    assertThat(stalledAt).isBetween(10L, 100L);

    InputGate.Delivery d;
    while ((d = gate.poll(0)) != null) {
      channel.recycle((Buffer) d.payload());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> written.get() > stalledAt);
    sender.interrupt();
    sender.join();
  }

  @Test
  void recordsGoToTheSubtaskOwningTheirKeyGroupAndEventsFollowTheRecordsBeforeThem()
      throws Exception {
    InputGate[] gates = {new InputGate(1), new InputGate(1)};
    Channel[] channels = {new Channel(0, gates[0], 4, 1024), new Channel(0, gates[1], 4, 1024)};
    RecordWriter writer = new RecordWriter(byString(), channels, 128, Long.MAX_VALUE);

    for (int i = 0; i < 50; i++) {
      writer.collect("key-" + i);
    }
    writer.broadcast(barrier(1, false));

    for (int target = 0; target < 2; target++) {
      InputGate.Delivery data = gates[target].poll(0);
      assertThat(data.payload()).isInstanceOf(Buffer.class);
      dev.weir.codec.ByteArrayReader in =
          new dev.weir.codec.ByteArrayReader(
              ((Buffer) data.payload()).data(), 0, ((Buffer) data.payload()).length());
      while (in.remaining() > 0) {
        int keyGroup = (in.readByte() & 0xff) << 8 | (in.readByte() & 0xff);
        String key = in.readString();
        byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        dev.weir.codec.ByteArrayWriter w = new dev.weir.codec.ByteArrayWriter(16);
        w.writeString(key);
        int expected =
            dev.weir.state.KeyGroupRangeAssignment.keyGroupOf(w.array(), 0, w.position(), 128);
        assertThat(keyGroup).isEqualTo(expected);
        assertThat(dev.weir.state.KeyGroupRangeAssignment.subtaskForKeyGroup(128, 2, keyGroup))
            .isEqualTo(target);
        assertThat(bytes).isNotEmpty();
      }
      assertThat(gates[target].poll(0).payload())
          .isInstanceOf(ChannelEvent.CheckpointBarrier.class);
    }
  }

  @Test
  void aBarrierIsNoticedAheadOfTheBuffersQueuedInFrontOfIt() throws Exception {
    InputGate gate = new InputGate(1, true);
    Channel channel = new Channel(0, gate, 2, 64);
    Buffer first = channel.requestBuffer();
    first.length(10);
    channel.send(first);
    var barrier = barrier(4, false);
    channel.send(barrier);

    assertThat(gate.hasPriorityEvent()).isTrue();
    assertThat(gate.pollPriority().payload()).isEqualTo(barrier);
    assertThat(gate.hasPriorityEvent()).isFalse();
    // the in-band copy still follows the buffer it overtook, which is processed and recycled
    assertThat(gate.queued())
        .extracting(InputGate.Delivery::payload)
        .containsExactly(first, barrier);
    channel.recycle((Buffer) gate.poll(0).payload());
    assertThat(channel.awaitCredit(0)).isTrue();
    assertThat(channel.buffersInFlight(2)).isZero();
  }

  @Test
  void finalBarriersSavepointsAndAlignedGatesGiveNoNotice() {
    InputGate unaligned = new InputGate(1, true);
    InputGate aligned = new InputGate(1);
    unaligned.deliver(null, barrier(9, true));
    unaligned.deliver(
        null,
        new ChannelEvent.CheckpointBarrier(
            new Barrier(10, 1_767_225_600_000L, SnapshotType.SAVEPOINT, false)));
    aligned.deliver(null, barrier(3, false));

    assertThat(unaligned.hasPriorityEvent()).isFalse();
    assertThat(aligned.hasPriorityEvent()).isFalse();
  }

  @Test
  void aBarrierOvertakesTheOutputNotSentYet() throws Exception {
    InputGate gate = new InputGate(1, true);
    Channel channel = new Channel(0, gate, 3, 128);
    RecordWriter writer =
        new RecordWriter(byString(), new OutputChannel[] {channel}, 128, Long.MAX_VALUE);
    writer.collect("a");
    java.util.List<String> overtaken = new java.util.ArrayList<>();

    writer.broadcastOvertaking(
        barrier(1, false), (target, data, offset, length) -> overtaken.add(target + ":" + length));
    writer.flush();

    assertThat(overtaken).containsExactly("0:" + (2 + 1 + 1)); // [keyGroup:2][len:1]["a"]
    assertThat(gate.queued())
        .extracting(d -> d.payload().getClass().getSimpleName())
        .containsExactly("CheckpointBarrier", "Buffer");
  }

  @Test
  void restoredOutputGoesOutAheadOfNewRecords() throws Exception {
    InputGate gate = new InputGate(1);
    Channel channel = new Channel(0, gate, 2, 64);
    RecordWriter writer =
        new RecordWriter(byString(), new OutputChannel[] {channel}, 128, Long.MAX_VALUE);
    byte[] overtaken = {0, 5, 1, 'x'};

    writer.restoreOutput(0, overtaken);
    writer.collect("a");
    writer.flush();

    Buffer sent = (Buffer) gate.poll(0).payload();
    assertThat(java.util.Arrays.copyOf(sent.data(), 4)).isEqualTo(overtaken);
    assertThat(sent.length()).isEqualTo(8);
  }

  @Test
  void outputOvertakenInLargerBuffersIsRestoredOverSmallerOnesAtRecordBoundaries()
      throws Exception {
    Channel large = new Channel(0, new InputGate(1, true), 1, 128);
    RecordWriter before =
        new RecordWriter(byString(), new OutputChannel[] {large}, 128, Long.MAX_VALUE);
    for (String word : java.util.List.of("aaaaa", "bb", "cccccc", "d", "eeee")) {
      before.collect(word);
    }
    java.io.ByteArrayOutputStream overtaken = new java.io.ByteArrayOutputStream();
    before.broadcastOvertaking(
        barrier(1, false), (target, data, offset, length) -> overtaken.write(data, offset, length));
    InputGate gate = new InputGate(1);
    Channel small = new Channel(0, gate, 4, 16);
    RecordWriter after =
        new RecordWriter(byString(), new OutputChannel[] {small}, 128, Long.MAX_VALUE);

    after.restoreOutput(0, overtaken.toByteArray());
    after.collect("f");
    after.flush();

    java.util.List<String> words = new java.util.ArrayList<>();
    int buffers = 0;
    for (InputGate.Delivery delivery = gate.poll(0); delivery != null; delivery = gate.poll(0)) {
      Buffer buffer = (Buffer) delivery.payload();
      assertThat(buffer.length()).isLessThanOrEqualTo(16);
      dev.weir.codec.ByteArrayReader in =
          new dev.weir.codec.ByteArrayReader(buffer.data(), 0, buffer.length());
      while (in.remaining() > 0) {
        in.skip(2);
        words.add(in.readString()); // a record split over two buffers would not decode
      }
      buffers++;
    }
    assertThat(overtaken.size()).isGreaterThan(16);
    assertThat(buffers).isGreaterThan(1);
    assertThat(words).containsExactly("aaaaa", "bb", "cccccc", "d", "eeee", "f");
  }
}
