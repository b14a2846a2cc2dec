package dev.weir.stats;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.SnapshotType;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Task snapshots and a fed tracker for the statistics tests and those of their presentation. */
public final class StatsFixtures {
  /** 2025-11-21T16:02:00Z. */
  public static final long T0 = 1_763_740_920_000L;

  public static final TaskId SOURCE_0 = new TaskId(0, 0);
  public static final TaskId SOURCE_1 = new TaskId(0, 1);
  public static final TaskId COUNTER_0 = new TaskId(1, 0);
  public static final TaskId COUNTER_1 = new TaskId(1, 1);
  public static final Set<TaskId> ALL_TASKS = Set.of(SOURCE_0, SOURCE_1, COUNTER_0, COUNTER_1);

  private StatsFixtures() {}

  /** A source subtask: operator state only (its position, {@code positionBytes} long). */
  public static TaskSnapshot sourceAck(TaskId task, long checkpointId, int positionBytes) {
    SubtaskSnapshot source =
        SubtaskSnapshot.newBuilder()
            .setSubtaskIndex(task.subtask())
            .addOperatorState(
                OperatorStateHandle.newBuilder()
                    .setName("position")
                    .addEntries(ByteString.copyFrom(new byte[positionBytes])))
            .build();
    return new TaskSnapshot(
        task, checkpointId, Map.of("source", source), positionBytes, 0, 1_500_000, 0);
  }

  /** A keyed subtask with one state file of {@code fileBytes} for operator "count". */
  public static TaskSnapshot counterAck(
      TaskId task, long checkpointId, long fileBytes, long alignmentNanos) {
    SubtaskSnapshot counter =
        SubtaskSnapshot.newBuilder()
            .setSubtaskIndex(task.subtask())
            .addKeyedState(
                KeyedStateHandle.newBuilder()
                    .setKeyGroupStart(0)
                    .setKeyGroupEnd(63)
                    .setBackend("heap")
                    .addFiles(
                        StateFile.newBuilder()
                            .setPath("chk-" + checkpointId + "/count/" + task.subtask())
                            .setSize(fileBytes)))
            .build();
    return new TaskSnapshot(
        task,
        checkpointId,
        Map.of("count", counter),
        fileBytes,
        alignmentNanos,
        2_000_000,
        7_000_000);
  }

  /** Triggers checkpoint {@code id} at {@code T0 + id * 10 s} and has every task acknowledge it. */
  public static void triggerAndAcknowledgeAll(CheckpointStatsTracker tracker, long id) {
    long trigger = triggerTime(id);
    tracker.triggered(id, trigger, false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.acknowledged(sourceAck(SOURCE_0, id, 8), trigger + 3);
    tracker.acknowledged(sourceAck(SOURCE_1, id, 8), trigger + 4);
    tracker.acknowledged(counterAck(COUNTER_0, id, 1_000 * id, 100_000), trigger + 20, 4_096);
    tracker.acknowledged(counterAck(COUNTER_1, id, 2_000 * id, 200_000), trigger + 25, 0);
  }

  /** The stages' names: the sources, then the counter chained with the sink. */
  public static String stageName(int stage) {
    return switch (stage) {
      case 0 -> "Source: generator";
      case 1 -> "count -> sink";
      default -> null;
    };
  }

  public static long triggerTime(long id) {
    return T0 + id * 10_000;
  }

  /**
   * A tracker with checkpoints 1-3 completed, 4 failed with a message full of markup, 5 in
   * progress, and a restore of 2.
   */
  public static CheckpointStatsTracker sampleTracker(CredentialRedaction redaction) {
    CheckpointStatsTracker tracker =
        new CheckpointStatsTracker(100, redaction, StatsFixtures::stageName);
    for (long id = 1; id <= 3; id++) {
      triggerAndAcknowledgeAll(tracker, id);
      long stateSize = 16 + 3_000 * id;
      tracker.completed(
          id,
          triggerTime(id) + 30,
          30 + id,
          30 + id + 2,
          stateSize,
          "file:///data/checkpoints/job/chk-" + id);
    }
    tracker.triggered(4, triggerTime(4), false, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.acknowledged(sourceAck(SOURCE_0, 4, 8), triggerTime(4) + 5);
    tracker.failed(
        4,
        triggerTime(4) + 60_000,
        CheckpointFailureReason.EXPIRED,
        "checkpoint 4 failed: <b>expired</b> & \"late\"");
    tracker.restored(2, triggerTime(4) + 61_000, "file:///data/checkpoints/job/chk-2");
    tracker.triggered(5, triggerTime(5), true, SnapshotType.CHECKPOINT, ALL_TASKS);
    tracker.acknowledged(sourceAck(SOURCE_1, 5, 8), triggerTime(5) + 2);
    return tracker;
  }

  public static List<Long> ids(CheckpointStatsSnapshot snapshot) {
    return snapshot.history().stream().map(CheckpointDetails::id).toList();
  }
}
