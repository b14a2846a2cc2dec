package dev.weir.stats;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.checkpoint.CheckpointObserver;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.SnapshotType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * The one aggregator of a job's checkpoint statistics: the checkpoint coordinator's observer. From
 * the coordinator's reports it keeps totals since creation, a bounded history of checkpoints with
 * their breakdown per stage, subtask and operator, the latest completed and failed checkpoint, the
 * latest savepoint and the latest restore. Every reader of checkpoint statistics (the gRPC
 * JobService, the HTTP JSON, the status page, /metrics, the console) reads its {@link #snapshot()}.
 *
 * <p>Threading: its state is owned by the thread that reports to it, the coordinator's main thread
 * (a {@link CheckpointObserver} is called there only). After every change that thread publishes a
 * new immutable {@link CheckpointStatsSnapshot} through a volatile field; other threads read only
 * that snapshot, never the state behind it.
 *
 * <p>Reports about a checkpoint that was never triggered, or that already left the in-progress
 * state, are ignored, so {@code triggered == inProgress + completed + failed + aborted} always
 * holds. Every text that is kept (paths, failure messages) goes through {@link CredentialRedaction}
 * first.
 */
public final class CheckpointStatsTracker implements CheckpointObserver {
  public static final int DEFAULT_HISTORY_LIMIT = 100;

  private final int historyLimit;
  private final CredentialRedaction redaction;
  private final IntFunction<String> stageNames;

  // Owned by the reporting thread.
  /** Oldest first; in-progress checkpoints are never evicted (the coordinator bounds them). */
  private final TreeMap<Long, TrackedCheckpoint> history = new TreeMap<>();

  private long triggered;
  private int inProgress;
  private long completed;
  private long failed;
  private long aborted;
  private long restored;
  private CheckpointDetails latestCompleted;
  private CheckpointDetails latestSavepoint;
  private CheckpointDetails latestFailed;
  private RestoreDetails latestRestore;

  /** Written by the reporting thread after every change, read by any thread. */
  private volatile CheckpointStatsSnapshot published;

  /**
   * @param historyLimit how many checkpoints the history keeps at most, at least 1
   * @param redaction applied to every path and failure message before it is kept
   * @param stageNames the name of a stage by its index, for display; null when unknown
   * @throws IllegalArgumentException when {@code historyLimit} is below 1
   */
  public CheckpointStatsTracker(
      int historyLimit, CredentialRedaction redaction, IntFunction<String> stageNames) {
    if (historyLimit < 1) {
      throw new IllegalArgumentException("history limit must be at least 1, was " + historyLimit);
    }
    this.historyLimit = historyLimit;
    this.redaction = redaction;
    this.stageNames = stageNames;
    this.published = CheckpointStatsSnapshot.empty(historyLimit);
  }

  /**
   * A checkpoint or savepoint was triggered; {@code expectedTasks} are the tasks that have to
   * acknowledge it. A second report of the same id is ignored.
   */
  @Override
  public void triggered(
      long checkpointId,
      long triggerTimestampMillis,
      boolean isFinal,
      SnapshotType type,
      Collection<TaskId> expectedTasks) {
    if (history.containsKey(checkpointId)) {
      return;
    }
    history.put(
        checkpointId,
        new TrackedCheckpoint(
            checkpointId,
            triggerTimestampMillis,
            isFinal,
            type == SnapshotType.SAVEPOINT,
            expectedTasks));
    triggered++;
    inProgress++;
    evictBeyondLimit();
    publish();
  }

  /**
   * A task acknowledged a checkpoint. The runtime does not measure the bytes held back during
   * alignment yet: they count as 0.
   *
   * @see #acknowledged(TaskSnapshot, long, long)
   */
  @Override
  public void acknowledged(TaskSnapshot snapshot, long ackTimestampMillis) {
    acknowledged(snapshot, ackTimestampMillis, 0);
  }

  /**
   * A task acknowledged a checkpoint. Ignored unless the checkpoint is in progress and the task is
   * one it expects and has not heard from yet.
   *
   * @param alignmentBufferedBytes bytes the task held back while aligning barriers
   */
  public void acknowledged(
      TaskSnapshot snapshot, long ackTimestampMillis, long alignmentBufferedBytes) {
    TrackedCheckpoint checkpoint = history.get(snapshot.checkpointId());
    if (checkpoint != null
        && checkpoint.status == CheckpointStatus.IN_PROGRESS
        && checkpoint.acknowledge(
            snapshot,
            ackTimestampMillis,
            stageNames.apply(snapshot.task().stage()),
            alignmentBufferedBytes)) {
      publish();
    }
  }

  /**
   * A checkpoint completed: its metadata is written at {@code path}.
   *
   * @param endToEndMillis from the trigger to the last acknowledgement (Flink's end-to-end
   *     duration)
   * @param completionMillis from the trigger to the metadata written
   * @param stateSizeBytes bytes all tasks wrote
   */
  @Override
  public void completed(
      long checkpointId,
      long completionTimestampMillis,
      long endToEndMillis,
      long completionMillis,
      long stateSizeBytes,
      String path) {
    TrackedCheckpoint checkpoint = inProgress(checkpointId);
    if (checkpoint == null) {
      return;
    }
    checkpoint.status = CheckpointStatus.COMPLETED;
    checkpoint.completionTimestampMillis = completionTimestampMillis;
    checkpoint.reportedDurationMillis = endToEndMillis;
    checkpoint.completionDurationMillis = completionMillis;
    checkpoint.reportedStateSizeBytes = stateSizeBytes;
    checkpoint.path = redaction.redact(path);
    checkpoint.details = null;
    inProgress--;
    completed++;
    if (checkpoint.savepoint) {
      latestSavepoint = checkpoint.details();
    } else {
      latestCompleted = checkpoint.details();
    }
    evictBeyondLimit();
    publish();
  }

  /**
   * A checkpoint did not complete. Reasons that count as failures ({@link
   * CheckpointFailureReason#countsAsFailure()}) make it {@link CheckpointStatus#FAILED}, the others
   * {@link CheckpointStatus#ABORTED}.
   *
   * @param message what went wrong; the reason's own message when null
   */
  @Override
  public void failed(
      long checkpointId,
      long failureTimestampMillis,
      CheckpointFailureReason reason,
      String message) {
    TrackedCheckpoint checkpoint = inProgress(checkpointId);
    if (checkpoint == null) {
      return;
    }
    boolean failure = reason.countsAsFailure();
    checkpoint.status = failure ? CheckpointStatus.FAILED : CheckpointStatus.ABORTED;
    checkpoint.failureTimestampMillis = failureTimestampMillis;
    checkpoint.failureReason = reason.name();
    checkpoint.failureMessage = message == null ? reason.message() : redaction.redact(message);
    checkpoint.details = null;
    inProgress--;
    if (failure) {
      failed++;
      latestFailed = checkpoint.details();
    } else {
      aborted++;
    }
    evictBeyondLimit();
    publish();
  }

  /** The job's state was restored from a checkpoint (metadata at {@code path}). */
  @Override
  public void restored(long checkpointId, long restoreTimestampMillis, String path) {
    restored++;
    latestRestore =
        new RestoreDetails(checkpointId, restoreTimestampMillis, redaction.redact(path));
    publish();
  }

  /** The statistics now. Any thread; the same instance while nothing changed. */
  public CheckpointStatsSnapshot snapshot() {
    return published;
  }

  /** On the reporting thread: the state now, as an immutable snapshot for every reader. */
  private void publish() {
    List<CheckpointDetails> newestFirst = new ArrayList<>(history.size());
    long[] durations = new long[history.size()];
    int completedInHistory = 0;
    for (TrackedCheckpoint checkpoint : history.descendingMap().values()) {
      CheckpointDetails details = checkpoint.details();
      newestFirst.add(details);
      if (details.status() == CheckpointStatus.COMPLETED) {
        durations[completedInHistory++] = details.endToEndDurationMillis();
      }
    }
    long[] completedDurations = new long[completedInHistory];
    System.arraycopy(durations, 0, completedDurations, 0, completedInHistory);
    published =
        new CheckpointStatsSnapshot(
            new CheckpointCounts(triggered, inProgress, completed, failed, aborted, restored),
            latestCompleted,
            latestFailed,
            latestSavepoint,
            latestRestore,
            DurationPercentiles.of(completedDurations),
            historyLimit,
            newestFirst);
  }

  private TrackedCheckpoint inProgress(long checkpointId) {
    TrackedCheckpoint checkpoint = history.get(checkpointId);
    return checkpoint != null && checkpoint.status == CheckpointStatus.IN_PROGRESS
        ? checkpoint
        : null;
  }

  /** Drops the oldest finished checkpoints until the history fits its limit. */
  private void evictBeyondLimit() {
    Iterator<TrackedCheckpoint> oldestFirst = history.values().iterator();
    while (history.size() > historyLimit && oldestFirst.hasNext()) {
      if (oldestFirst.next().status != CheckpointStatus.IN_PROGRESS) {
        oldestFirst.remove();
      }
    }
  }

  /** Bytes of an operator's subtask state: its keyed state files and operator state entries. */
  static long stateSize(SubtaskSnapshot subtask) {
    long bytes = 0;
    for (KeyedStateHandle keyed : subtask.getKeyedStateList()) {
      for (StateFile file : keyed.getFilesList()) {
        bytes += file.getSize();
      }
    }
    for (OperatorStateHandle operatorState : subtask.getOperatorStateList()) {
      for (ByteString entry : operatorState.getEntriesList()) {
        bytes += entry.size();
      }
    }
    return bytes;
  }

  /** One checkpoint while the tracker keeps it. Owned by the tracker's reporting thread. */
  private static final class TrackedCheckpoint {
    final long id;
    final long triggerTimestampMillis;
    final boolean isFinal;
    final boolean savepoint;
    final int totalSubtasks;
    final TreeMap<Integer, TrackedStage> stages = new TreeMap<>();
    final TreeMap<String, TrackedOperator> operators = new TreeMap<>();

    CheckpointStatus status = CheckpointStatus.IN_PROGRESS;
    int acknowledgedSubtasks;
    Long latestAckTimestampMillis;
    long ackedStateSizeBytes;
    long alignmentBufferedBytes;
    long persistedInFlightBytes;
    boolean unaligned;
    Long completionTimestampMillis;
    long reportedDurationMillis;
    Long completionDurationMillis;
    long reportedStateSizeBytes;
    String path;
    Long failureTimestampMillis;
    String failureReason;
    String failureMessage;

    /** The immutable view of the current state; null when it changed since it was built. */
    CheckpointDetails details;

    TrackedCheckpoint(
        long id,
        long triggerTimestampMillis,
        boolean isFinal,
        boolean savepoint,
        Collection<TaskId> expectedTasks) {
      this.id = id;
      this.triggerTimestampMillis = triggerTimestampMillis;
      this.isFinal = isFinal;
      this.savepoint = savepoint;
      int total = 0;
      for (TaskId task : expectedTasks) {
        if (stages
            .computeIfAbsent(task.stage(), TrackedStage::new)
            .expectedSubtasks
            .add(task.subtask())) {
          total++;
        }
      }
      this.totalSubtasks = total;
    }

    /** Returns whether the acknowledgement was taken (an expected task, heard the first time). */
    boolean acknowledge(
        TaskSnapshot snapshot,
        long ackTimestampMillis,
        String stageName,
        long alignmentBufferedBytes) {
      TaskId task = snapshot.task();
      TrackedStage stage = stages.get(task.stage());
      if (stage == null
          || !stage.expectedSubtasks.contains(task.subtask())
          || stage.acks.containsKey(task.subtask())) {
        return false;
      }
      if (stageName != null) {
        stage.name = stageName;
      }
      stage.acks.put(
          task.subtask(),
          new SubtaskCheckpointStats(
              task.subtask(),
              ackTimestampMillis,
              Math.max(0, ackTimestampMillis - triggerTimestampMillis),
              snapshot.stateSizeBytes(),
              alignmentBufferedBytes,
              snapshot.alignmentNanos(),
              snapshot.syncNanos(),
              snapshot.asyncNanos(),
              snapshot.channelStateBytes(),
              snapshot.unaligned()));
      for (Map.Entry<String, SubtaskSnapshot> operator : snapshot.operators().entrySet()) {
        TrackedOperator tracked =
            operators.computeIfAbsent(operator.getKey(), uid -> new TrackedOperator(task.stage()));
        tracked.acknowledgedSubtasks++;
        tracked.stateSizeBytes += stateSize(operator.getValue());
      }
      acknowledgedSubtasks++;
      ackedStateSizeBytes += snapshot.stateSizeBytes();
      this.alignmentBufferedBytes += alignmentBufferedBytes;
      persistedInFlightBytes += snapshot.channelStateBytes();
      unaligned |= snapshot.unaligned();
      if (latestAckTimestampMillis == null || ackTimestampMillis > latestAckTimestampMillis) {
        latestAckTimestampMillis = ackTimestampMillis;
      }
      details = null;
      return true;
    }

    CheckpointDetails details() {
      if (details == null) {
        details = buildDetails();
      }
      return details;
    }

    private CheckpointDetails buildDetails() {
      List<StageCheckpointStats> stageStats = new ArrayList<>(stages.size());
      for (Map.Entry<Integer, TrackedStage> stage : stages.entrySet()) {
        stageStats.add(stage.getValue().stats(triggerTimestampMillis));
      }
      List<OperatorCheckpointStats> operatorStats = new ArrayList<>(operators.size());
      operators.forEach(
          (uid, operator) ->
              operatorStats.add(
                  new OperatorCheckpointStats(
                      uid,
                      operator.stage,
                      operator.acknowledgedSubtasks,
                      operator.stateSizeBytes)));
      return new CheckpointDetails(
          id,
          status,
          isFinal,
          savepoint,
          triggerTimestampMillis,
          latestAckTimestampMillis,
          completionTimestampMillis,
          failureTimestampMillis,
          endToEndDurationMillis(),
          completionDurationMillis,
          acknowledgedSubtasks,
          totalSubtasks,
          status == CheckpointStatus.COMPLETED ? reportedStateSizeBytes : ackedStateSizeBytes,
          alignmentBufferedBytes,
          path,
          failureReason,
          failureMessage,
          stageStats,
          operatorStats,
          persistedInFlightBytes,
          unaligned);
    }

    private long endToEndDurationMillis() {
      return switch (status) {
        case COMPLETED -> reportedDurationMillis;
        case FAILED, ABORTED -> Math.max(0, failureTimestampMillis - triggerTimestampMillis);
        case IN_PROGRESS ->
            latestAckTimestampMillis == null
                ? 0
                : Math.max(0, latestAckTimestampMillis - triggerTimestampMillis);
      };
    }
  }

  /** One stage of a tracked checkpoint. Owned by the tracker's reporting thread. */
  private static final class TrackedStage {
    final int stage;
    final TreeSet<Integer> expectedSubtasks = new TreeSet<>();
    final TreeMap<Integer, SubtaskCheckpointStats> acks = new TreeMap<>();
    String name;

    TrackedStage(int stage) {
      this.stage = stage;
    }

    StageCheckpointStats stats(long triggerTimestampMillis) {
      Long latestAck = null;
      long stateSize = 0;
      long buffered = 0;
      for (SubtaskCheckpointStats ack : acks.values()) {
        latestAck =
            latestAck == null
                ? ack.ackTimestampMillis()
                : Math.max(latestAck, ack.ackTimestampMillis());
        stateSize += ack.stateSizeBytes();
        buffered += ack.alignmentBufferedBytes();
      }
      List<Integer> pending = new ArrayList<>();
      for (int subtask : expectedSubtasks) {
        if (!acks.containsKey(subtask)) {
          pending.add(subtask);
        }
      }
      return new StageCheckpointStats(
          stage,
          name,
          acks.size(),
          expectedSubtasks.size(),
          latestAck,
          latestAck == null ? 0 : Math.max(0, latestAck - triggerTimestampMillis),
          stateSize,
          buffered,
          List.copyOf(acks.values()),
          pending);
    }
  }

  /** One operator uid of a tracked checkpoint. Owned by the tracker's reporting thread. */
  private static final class TrackedOperator {
    final int stage;
    int acknowledgedSubtasks;
    long stateSizeBytes;

    TrackedOperator(int stage) {
      this.stage = stage;
    }
  }
}
