package dev.weir.stats;

/**
 * One subtask's acknowledgement of one checkpoint; immutable.
 *
 * @param subtask index of the subtask within its stage
 * @param ackTimestampMillis wall-clock time the coordinator received the acknowledgement
 * @param endToEndDurationMillis from the trigger to this acknowledgement
 * @param stateSizeBytes bytes the subtask wrote to storage for this checkpoint
 * @param alignmentBufferedBytes bytes held back while aligning barriers (exactly-once), else 0
 * @param alignmentDurationNanos from the first to the last barrier (exactly-once), else 0
 * @param syncDurationNanos the synchronous part of the snapshot, on the task thread
 * @param asyncDurationNanos the upload of the snapshot
 * @param persistedInFlightBytes in-flight data the subtask persisted as channel state (unaligned
 *     checkpoints), else 0
 * @param unaligned whether the subtask took this checkpoint unaligned
 */
public record SubtaskCheckpointStats(
    int subtask,
    long ackTimestampMillis,
    long endToEndDurationMillis,
    long stateSizeBytes,
    long alignmentBufferedBytes,
    long alignmentDurationNanos,
    long syncDurationNanos,
    long asyncDurationNanos,
    long persistedInFlightBytes,
    boolean unaligned) {

  /** An aligned acknowledgement. */
  public SubtaskCheckpointStats(
      int subtask,
      long ackTimestampMillis,
      long endToEndDurationMillis,
      long stateSizeBytes,
      long alignmentBufferedBytes,
      long alignmentDurationNanos,
      long syncDurationNanos,
      long asyncDurationNanos) {
    this(
        subtask,
        ackTimestampMillis,
        endToEndDurationMillis,
        stateSizeBytes,
        alignmentBufferedBytes,
        alignmentDurationNanos,
        syncDurationNanos,
        asyncDurationNanos,
        0,
        false);
  }
}
