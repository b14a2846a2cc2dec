package dev.weir.checkpoint.barrier;

import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.checkpoint.CheckpointingMode;

/**
 * Decides, for a task with several input channels, when to snapshot for a checkpoint, fed every
 * event of its input that concerns checkpoints in the order the task takes them: whole barriers,
 * cancellations, channels ending. Every event comes with {@code nowNanos}, the task's own clock
 * ({@link System#nanoTime()}), so alignment durations and timeouts are measured on one machine and
 * a test can drive the clock.
 *
 * <p>Two variants: {@link BarrierAligner} (exactly-once, aligned or unaligned, one checkpoint at a
 * time, in explicit phases) and {@link BarrierTracker} (at-least-once, never blocks).
 *
 * <p>Threading: a pure state machine, no threads, no I/O, no clock of its own. The task's thread
 * (its mailbox loop) owns it: every method is called there, and the {@link Actions} run there,
 * inside the call that caused them.
 */
public interface BarrierHandler {

  /** What the task does on the handler's behalf. Called on the task thread. */
  interface Actions {
    /**
     * Take the snapshot for {@code barrier} now and forward the barrier: aligned, so nothing in
     * flight belongs to it.
     *
     * @param alignmentNanos from the first barrier of this checkpoint to now; 0 at-least-once
     */
    void snapshot(Barrier barrier, long alignmentNanos);

    /**
     * Take the snapshot for {@code barrier} now and forward the barrier ahead of the output not yet
     * sent, which becomes output channel state; the input in front of each channel's barrier is
     * persisted through {@link #persistInFlight} until {@link #inFlightCaptured}.
     */
    void snapshotUnaligned(Barrier barrier, long alignmentNanos);

    /**
     * Persist, as input channel state of this checkpoint, everything of {@code channel} that is not
     * processed yet and lies in front of its in-band barrier {@code checkpointId}.
     */
    void persistInFlight(long checkpointId, int channel);

    /** Every open channel's in-flight data is captured: the checkpoint can be acknowledged. */
    void inFlightCaptured(long checkpointId);

    /** Give up this checkpoint here: tell downstream so it does not wait for its barriers. */
    void abort(long checkpointId);
  }

  /** Whether records from this channel must wait (the channel delivered the barrier early). */
  boolean isBlocked(int channel);

  /** The in-band barrier of {@code channel}: every buffer it sent before it was processed. */
  void onBarrier(int channel, Barrier barrier, long nowNanos);

  /**
   * A barrier was noticed on arrival, ahead of the buffers queued in front of it (its in-band copy
   * still follows them through {@link #onBarrier}). Only unaligned checkpoints act on it.
   */
  void onBarrierNotice(int channel, Barrier barrier, long nowNanos);

  /** Upstream cancelled checkpoint {@code checkpointId}, or the coordinator aborted it. */
  void onAbort(long checkpointId, long nowNanos);

  /**
   * The channel will deliver nothing more (end of input, or the channel closed). An alignment this
   * completes is measured up to {@code nowNanos}.
   */
  void onEndOfInput(int channel, long nowNanos);

  /**
   * Nanoseconds until {@link #checkTimeout} has something to do; {@code Long.MAX_VALUE} if never.
   */
  long nanosUntilTimeout(long nowNanos);

  /** Lets an alignment that waited longer than the alignment timeout switch to unaligned. */
  void checkTimeout(long nowNanos);

  /**
   * The unaligned checkpoint whose in-flight data of {@code channel} is still being captured: its
   * snapshot was taken but the channel's barrier has not arrived, so whatever the task processes
   * from the channel now lies before that barrier and must be persisted as channel state too. -1
   * when there is none.
   */
  long capturingCheckpoint(int channel);

  /** The handler a checkpoint configuration asks for. */
  static BarrierHandler forConfig(CheckpointConfig config, int channels, Actions actions) {
    if (config.mode() == CheckpointingMode.AT_LEAST_ONCE) {
      return new BarrierTracker(channels, actions);
    }
    return config.unaligned()
        ? BarrierAligner.unaligned(channels, config.alignedCheckpointTimeout().toNanos(), actions)
        : BarrierAligner.aligned(channels, actions);
  }
}
