package dev.weir.checkpoint;

/**
 * Decides, for a task with several input channels, when to snapshot for a checkpoint, fed the
 * barrier events in the order they arrive. A pure state machine: no threads, no I/O; the task
 * thread owns it and carries out the {@link Actions}.
 */
public interface BarrierHandler {

  /** What the task does on the handler's behalf. */
  interface Actions {
    /** Take the snapshot for this checkpoint now and forward its barrier. */
    void snapshot(long checkpointId, long timestampMillis, boolean isFinal, long alignmentNanos);

    /** Give up this checkpoint: tell downstream so it does not wait for its barriers. */
    void abort(long checkpointId);
  }

  /** Whether records from this channel must wait (the channel delivered the barrier early). */
  boolean isBlocked(int channel);

  void onBarrier(
      int channel, long checkpointId, long timestampMillis, boolean isFinal, long nowNanos);

  /**
   * A barrier was noticed on arrival, ahead of the buffers queued in front of it (its in-band copy
   * still follows them through {@link #onBarrier}). Only unaligned handlers act on it.
   */
  default void onPriorityBarrier(
      int channel, long checkpointId, long timestampMillis, boolean isFinal, long nowNanos) {}

  /**
   * Nanoseconds until {@link #checkTimeout} has something to do; {@code Long.MAX_VALUE} if never.
   */
  default long nanosUntilTimeout(long nowNanos) {
    return Long.MAX_VALUE;
  }

  /** Lets a handler with an alignment timeout switch the alignment in progress to unaligned. */
  default void checkTimeout(long nowNanos) {}

  /**
   * The unaligned checkpoint whose in-flight data of {@code channel} is still being captured: its
   * snapshot was taken but the channel's barrier has not arrived, so whatever the task processes
   * from the channel now lies before that barrier and must be persisted as channel state too. -1
   * when there is none.
   */
  default long capturingCheckpoint(int channel) {
    return -1;
  }

  /** Upstream cancelled a checkpoint, or the coordinator aborted it. */
  void onAbort(long checkpointId);

  /**
   * The channel will deliver nothing more. {@code nowNanos} is the task's clock, as for {@link
   * #onBarrier}: an alignment this completes is measured up to it.
   */
  void onEndOfInput(int channel, long nowNanos);

  static BarrierHandler forMode(CheckpointingMode mode, int channels, Actions actions) {
    return mode == CheckpointingMode.EXACTLY_ONCE
        ? new BarrierAligner(channels, actions)
        : new BarrierTracker(channels, actions);
  }

  /** The handler a checkpoint configuration asks for. */
  static BarrierHandler forConfig(
      CheckpointConfig config, int channels, UnalignedBarrierHandler.Actions actions) {
    return config.unaligned()
        ? new UnalignedBarrierHandler(
            channels, config.alignedCheckpointTimeout().toNanos(), actions)
        : forMode(config.mode(), channels, actions);
  }
}
