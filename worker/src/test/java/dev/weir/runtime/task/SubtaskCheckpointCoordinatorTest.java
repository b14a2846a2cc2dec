package dev.weir.runtime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.api.Collector;
import dev.weir.api.ListState;
import dev.weir.api.OperatorStateStore;
import dev.weir.api.Redistribution;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import dev.weir.api.Source;
import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.checkpoint.barrier.Barrier;
import dev.weir.failure.FailureKind;
import dev.weir.graph.Exchange;
import dev.weir.graph.OperatorNode;
import dev.weir.graph.Stage;
import dev.weir.proto.ChannelStateHandle;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.Channel;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.InputGate;
import dev.weir.runtime.io.OutputChannel;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.state.SnapshotType;
import dev.weir.testing.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task side of the checkpoint protocol, over a real operator chain with fake operators, a fake
 * responder, storage in memory and an I/O executor the test runs by hand.
 */
class SubtaskCheckpointCoordinatorTest {
  private static final long TRIGGERED = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final long MS = 1_000_000L;
  private static final TaskId TASK = new TaskId(0, 1);

  @TempDir Path workDir;

  private final InMemoryStorage storage = new InMemoryStorage();
  private final CompletedCheckpointStore checkpoints =
      new CompletedCheckpointStore(storage, "job-1");
  private final RecordingResponder responder = new RecordingResponder();
  private final ManualExecutor io = new ManualExecutor();
  private final List<String> operators = new CopyOnWriteArrayList<>();
  private final FakeSource source = new FakeSource();
  private final FakeSink sink = new FakeSink();
  private final InputGate downstream = new InputGate(1);
  private OperatorChain chain;

  @AfterEach
  void close() {
    if (chain != null) {
      chain.close();
    }
  }

  private static Barrier checkpoint(long id) {
    return new Barrier(id, TRIGGERED + id, SnapshotType.CHECKPOINT, false);
  }

  private static Barrier finalCheckpoint(long id) {
    return new Barrier(id, TRIGGERED + id, SnapshotType.CHECKPOINT, true);
  }

  private static Barrier stopWithSavepoint(long id) {
    return new Barrier(id, TRIGGERED + id, SnapshotType.SAVEPOINT, true);
  }

  // ---- fixtures ----

  /** Stage 0 ending in a sink: numbers -> out. */
  private SubtaskCheckpointCoordinator sourceToSink() throws Exception {
    return coordinator(
        List.of(
            new OperatorNode.SourceNode<>("numbers", source, Codecs.LONG),
            new OperatorNode.SinkNode<>("out", sink)),
        null,
        false,
        Map.of());
  }

  /** Stage 0 ending in an exchange to one downstream subtask. */
  private SubtaskCheckpointCoordinator sourceToExchange(
      boolean hasInputs, Map<String, OperatorRestore> restore) throws Exception {
    return coordinator(
        List.of(new OperatorNode.SourceNode<>("numbers", source, Codecs.LONG)),
        writer(),
        hasInputs,
        restore);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private RecordWriter writer() {
    Exchange byString = new Exchange(s -> s, (Codec) Codecs.STRING, (Codec) Codecs.STRING);
    return new RecordWriter(
        byString, new OutputChannel[] {new Channel(0, downstream, 4, 1024)}, 128, Long.MAX_VALUE);
  }

  private RecordWriter writer;

  /** What the coordinator handed back to replay when it restored the chain. */
  private Map<Integer, byte[]> restoredInput;

  private SubtaskCheckpointCoordinator coordinator(
      List<OperatorNode> nodes,
      RecordWriter output,
      boolean hasInputs,
      Map<String, OperatorRestore> restore)
      throws Exception {
    writer = output;
    TaskContext context =
        new TaskContext(
            "test",
            "job-1",
            TASK,
            2,
            128,
            0,
            CheckpointConfig.DEFAULT, // the coordinator is told per checkpoint how to take it
            checkpoints,
            null,
            workDir,
            io,
            responder,
            new NoListener(),
            restore,
            10 * MS);
    SubtaskCheckpointCoordinator coordinator =
        new SubtaskCheckpointCoordinator(context, output, hasInputs);
    chain = new OperatorChain(context, new Stage(0, null, nodes), output);
    restoredInput = coordinator.restore(chain);
    return coordinator;
  }

  private List<Object> sentDownstream() throws InterruptedException {
    List<Object> sent = new ArrayList<>();
    for (InputGate.Delivery d = downstream.poll(0); d != null; d = downstream.poll(0)) {
      sent.add(d.payload());
    }
    return sent;
  }

  // ---- aligned: synchronous part, upload, acknowledgement ----

  @Test
  void theSynchronousPartRunsAtOnceAndTheAcknowledgementWaitsForTheUpload() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToSink();
    source.position = 42;

    assertThat(coordinator.checkpointState(checkpoint(3), 2 * MS, false)).isTrue();

    assertThat(operators).containsExactly("numbers at 42 for 3", "out pre-commits 3");
    assertThat(responder.acks).as("the upload has not run").isEmpty();
    io.runAll();
    assertThat(operators).endsWith("out uploads 3");
    assertThat(responder.declines).isEmpty();
    assertThat(responder.acks).hasSize(1);
    TaskSnapshot ack = responder.acks.get(0);
    assertThat(ack.task()).isEqualTo(TASK);
    assertThat(ack.checkpointId()).isEqualTo(3);
    assertThat(ack.operators()).containsOnlyKeys("numbers", "out");
    assertThat(ack.operators().get("numbers").getOperatorStateList()).hasSize(1);
    assertThat(ack.alignmentNanos()).isEqualTo(2 * MS);
    assertThat(ack.stateSizeBytes()).isPositive();
    assertThat(ack.unaligned()).isFalse();
    assertThat(ack.channelStateBytes()).isZero();
  }

  @Test
  void theBarrierGoesDownstreamBetweenTheSynchronousPartAndTheUpload() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(false, Map.of());
    writer.collect("before");

    coordinator.checkpointState(checkpoint(4), 0, false);

    List<Object> sent = sentDownstream();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0))
        .as("the output before the barrier goes first")
        .isInstanceOf(Buffer.class);
    assertThat(sent.get(1)).isEqualTo(new ChannelEvent.CheckpointBarrier(checkpoint(4)));
    assertThat(responder.acks).isEmpty();
    io.runAll();
    assertThat(responder.acks).extracting(TaskSnapshot::checkpointId).containsExactly(4L);
  }

  @Test
  void aFailedUploadDeclinesTheCheckpointNamingTheCause() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToSink();
    sink.failUpload = true;

    coordinator.checkpointState(checkpoint(5), 0, false);
    io.runAll();

    assertThat(responder.acks).isEmpty();
    assertThat(responder.declines).containsExactly("5: java.io.IOException: out cannot upload 5");
  }

  @Test
  void aFailedSynchronousPartDeclinesAtOnceAndTellsDownstreamNotToWait() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(false, Map.of());
    source.failSnapshot = true;

    assertThat(coordinator.checkpointState(checkpoint(6), 0, false)).isFalse();

    assertThat(responder.declines)
        .containsExactly("6: java.lang.IllegalStateException: numbers cannot snapshot 6");
    assertThat(sentDownstream()).containsExactly(new ChannelEvent.CancelCheckpoint(6));
    assertThat(io.queued()).as("no upload started").isZero();
  }

  @Test
  void aFailedFinalCheckpointFailsTheTaskButAFailedStopWithSavepointDoesNot() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToSink();
    source.failSnapshot = true;

    assertThat(coordinator.checkpointState(stopWithSavepoint(7), 0, false)).isFalse();
    assertThatThrownBy(() -> coordinator.checkpointState(finalCheckpoint(8), 0, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("the final checkpoint failed");

    assertThat(responder.declines).hasSize(2);
    assertThat(coordinator.awaitsFinalCheckpoint()).isFalse();
  }

  // ---- notifications ----

  @Test
  void aCompletedCheckpointCommitsTheSinksAndEndsTheWaitForTheFinalCheckpoint() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToSink();
    coordinator.checkpointState(checkpoint(1), 0, false);
    coordinator.checkpointState(finalCheckpoint(2), 0, false);
    io.runAll();
    assertThat(coordinator.awaitsFinalCheckpoint()).isTrue();

    coordinator.notifyCheckpointComplete(1);
    assertThat(coordinator.awaitsFinalCheckpoint()).isTrue();
    coordinator.notifyCheckpointComplete(2);

    assertThat(operators).contains("out commits 1", "out commits 2");
    assertThat(coordinator.awaitsFinalCheckpoint()).isFalse();
  }

  @Test
  void aSinkThatFailsToCommitFailsTheTaskAsUserCode() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToSink();
    sink.failCommit = true;

    assertThatThrownBy(() -> coordinator.notifyCheckpointComplete(1))
        .isInstanceOf(UserFunctionException.class)
        .satisfies(e -> assertThat(FailureKind.of(e)).isEqualTo(FailureKind.USER_CODE));
  }

  @Test
  void anAbortedStopWithSavepointIsForgottenUnlessTheOutputAlreadyEnded() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToSink();
    coordinator.checkpointState(stopWithSavepoint(9), 0, false);
    io.runAll();
    assertThat(coordinator.awaitsFinalCheckpoint()).isTrue();

    assertThat(coordinator.notifyCheckpointAborted(8, false)).as("not the final one").isFalse();
    assertThat(coordinator.notifyCheckpointAborted(9, true)).as("no going back").isFalse();
    assertThat(coordinator.awaitsFinalCheckpoint()).isTrue();
    assertThat(coordinator.notifyCheckpointAborted(9, false)).isTrue();

    assertThat(coordinator.awaitsFinalCheckpoint()).isFalse();
  }

  @Test
  void cancellingAnUploadThatAlreadyEndedChangesNothing() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToSink();
    coordinator.checkpointState(checkpoint(1), 0, false);
    io.runAll();

    coordinator.cancelUpload(1);
    coordinator.cancelUpload(2);

    assertThat(responder.acks).hasSize(1);
    assertThat(responder.declines).isEmpty();
  }

  // ---- unaligned: in-flight capture ----

  @Test
  void anUnalignedCheckpointOvertakesTheUnsentOutputAndAcknowledgesOnceItsInputIsCaptured()
      throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(true, Map.of());
    writer.collect("a"); // [keyGroup:2][len:1]["a"]: 4 bytes not sent yet

    coordinator.checkpointState(checkpoint(7), 4 * MS, true);

    assertThat(sentDownstream())
        .as("the barrier overtakes the output")
        .containsExactly(new ChannelEvent.CheckpointBarrier(checkpoint(7)));
    ChannelStateWriter inFlight = coordinator.inFlightState(7);
    assertThat(inFlight).isNotNull();
    inFlight.addInput(0, "xyz".getBytes(StandardCharsets.US_ASCII), 0, 3);
    io.runAll();
    assertThat(responder.acks).as("input still being captured").isEmpty();

    coordinator.completeInFlight(7);
    io.runAll();

    assertThat(coordinator.inFlightState(7)).isNull();
    assertThat(responder.acks).hasSize(1);
    TaskSnapshot ack = responder.acks.get(0);
    assertThat(ack.unaligned()).isTrue();
    assertThat(ack.alignmentNanos()).isEqualTo(4 * MS);
    assertThat(ack.channelStateBytes()).isEqualTo(4 + 3);
    List<ChannelStateHandle> handles = ack.operators().get("numbers").getChannelStateList();
    assertThat(handles)
        .extracting(ChannelStateHandle::getKind)
        .containsExactlyInAnyOrder(ChannelStateHandle.Kind.INPUT, ChannelStateHandle.Kind.OUTPUT);
    assertThat(storage.read("job-1/chk-7/_channel-state/stage-0-1")).hasSize(7);
  }

  @Test
  void anUnalignedCheckpointOfATaskWithoutInputsIsAcknowledgedAtOnce() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(false, Map.of());

    coordinator.checkpointState(checkpoint(2), 0, true);
    io.runAll();

    assertThat(coordinator.inFlightState(2)).isNull();
    assertThat(responder.acks).extracting(TaskSnapshot::unaligned).containsExactly(true);
  }

  @Test
  void barriersThatMustAlignAreTakenAlignedEvenWhenAskedUnaligned() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(true, Map.of());

    coordinator.checkpointState(stopWithSavepoint(3), 0, true);
    io.runAll();

    assertThat(coordinator.inFlightState(3)).isNull();
    assertThat(responder.acks).extracting(TaskSnapshot::unaligned).containsExactly(false);
  }

  @Test
  void aChannelStateUploadThatCannotReachStorageDeclines() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(true, Map.of());
    coordinator.checkpointState(checkpoint(4), 0, true);
    coordinator.inFlightState(4).addInput(1, new byte[] {1, 2, 3}, 0, 3);
    storage.setUnreachable(true);

    coordinator.completeInFlight(4);
    io.runAll();

    assertThat(responder.acks).isEmpty();
    assertThat(responder.declines).hasSize(1);
    assertThat(responder.declines.get(0)).startsWith("4: ").contains("storage unreachable");
  }

  @Test
  void aNewerUnalignedCheckpointDeclinesTheOneStillCapturing() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(true, Map.of());
    coordinator.checkpointState(checkpoint(1), 0, true);

    coordinator.checkpointState(checkpoint(2), 0, true);

    assertThat(responder.declines).containsExactly("1: superseded by checkpoint 2");
    assertThat(coordinator.inFlightState(1)).isNull();
    coordinator.completeInFlight(1);
    coordinator.completeInFlight(2);
    io.runAll();
    assertThat(responder.acks).extracting(TaskSnapshot::checkpointId).containsExactly(2L);
  }

  @Test
  void givingUpACheckpointStillCapturingDeclinesItAndCancelsItDownstream() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(true, Map.of());
    coordinator.checkpointState(checkpoint(5), 0, true);
    sentDownstream();

    coordinator.abortCheckpoint(5);
    coordinator.completeInFlight(5);
    io.runAll();

    assertThat(responder.declines).containsExactly("5: checkpoint 5 was given up at this task");
    assertThat(sentDownstream()).containsExactly(new ChannelEvent.CancelCheckpoint(5));
    assertThat(responder.acks).isEmpty();
  }

  @Test
  void aTaskEndingWhileCapturingAcknowledgesNothing() throws Exception {
    SubtaskCheckpointCoordinator coordinator = sourceToExchange(true, Map.of());
    coordinator.checkpointState(checkpoint(6), 0, true);

    coordinator.close();
    coordinator.completeInFlight(6);
    io.runAll();

    assertThat(responder.acks).isEmpty();
    assertThat(coordinator.inFlightState(6)).isNull();
  }

  // ---- restore ----

  @Test
  void restoresTheOvertakenOutputAheadOfNewOutputAndHandsBackTheInputToReplay() throws Exception {
    ChannelStateWriter taken = new ChannelStateWriter(0);
    byte[] overtaken = {0, 5, 1, 'x'}; // one record "x" of key group 5
    taken.addOutput(0, overtaken, 0, overtaken.length);
    taken.addInput(1, "in".getBytes(StandardCharsets.US_ASCII), 0, 2);
    List<ChannelStateHandle> handles = taken.write(storage, "job-1/chk-3/_channel-state/stage-0-1");
    OperatorRestore restore = new OperatorRestore(3, List.of(), Map.of(), handles);

    sourceToExchange(true, Map.of("numbers", restore));
    writer.collect("new");
    writer.flush();

    assertThat(restoredInput).containsOnlyKeys(1);
    assertThat(new String(restoredInput.get(1), StandardCharsets.US_ASCII)).isEqualTo("in");
    Buffer sent = (Buffer) downstream.poll(0).payload();
    assertThat(java.util.Arrays.copyOf(sent.data(), 4)).as("restored first").isEqualTo(overtaken);
  }

  // ---- fakes ----

  /** Writes down acknowledgements and declines; called from whichever thread finishes. */
  private static final class RecordingResponder implements CheckpointResponder {
    final List<TaskSnapshot> acks = new CopyOnWriteArrayList<>();
    final List<String> declines = new CopyOnWriteArrayList<>();

    @Override
    public void acknowledge(TaskSnapshot snapshot) {
      acks.add(snapshot);
    }

    @Override
    public void decline(TaskId task, long checkpointId, String cause) {
      assertThat(task).isEqualTo(TASK);
      declines.add(checkpointId + ": " + cause);
    }
  }

  /** The I/O pool, run by the test on its own thread when it says so. */
  private static final class ManualExecutor implements Executor {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable command) {
      queue.add(command);
    }

    synchronized int queued() {
      return queue.size();
    }

    void runAll() {
      Runnable next;
      while ((next = poll()) != null) {
        next.run();
      }
    }

    private synchronized Runnable poll() {
      return queue.poll();
    }
  }

  /** A source whose position is operator state. */
  private final class FakeSource implements Source<Long> {
    long position;
    boolean failSnapshot;
    private ListState<Long> state;

    @Override
    public void open(RuntimeContext context, OperatorStateStore store) {
      state = store.getListState("position", Codecs.LONG, Redistribution.UNION);
    }

    @Override
    public boolean emitBatch(Collector<Long> out) {
      return false;
    }

    @Override
    public void snapshotState(long checkpointId) {
      if (failSnapshot) {
        throw new IllegalStateException("numbers cannot snapshot " + checkpointId);
      }
      state.update(List.of(position));
      operators.add("numbers at " + position + " for " + checkpointId);
    }
  }

  /** A two-phase-commit sink that writes down each phase. */
  private final class FakeSink implements Sink<Long> {
    boolean failUpload;
    boolean failCommit;

    @Override
    public void open(RuntimeContext context, OperatorStateStore store) {}

    @Override
    public void write(Long record) {}

    @Override
    public void snapshotState(long checkpointId) {
      operators.add("out pre-commits " + checkpointId);
    }

    @Override
    public void snapshotStateAsync(long checkpointId) throws Exception {
      if (failUpload) {
        throw new java.io.IOException("out cannot upload " + checkpointId);
      }
      operators.add("out uploads " + checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      if (failCommit) {
        throw new java.io.IOException("out cannot commit " + checkpointId);
      }
      operators.add("out commits " + checkpointId);
    }
  }

  private static final class NoListener implements TaskListener {
    @Override
    public void sourceFinished(TaskId task) {}

    @Override
    public void taskFinished(TaskId task) {}

    @Override
    public void taskFailed(TaskId task, FailureKind kind, Throwable cause) {}
  }
}
