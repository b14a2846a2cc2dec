package dev.weir.checkpoint;

import java.util.Arrays;

/**
 * Exactly-once barrier handling with unaligned checkpoints: the first notice of barrier n on any
 * channel makes the task snapshot at once and forward the barrier ahead of its queued output; the
 * input that is still in front of barrier n on each channel is persisted as channel state (and
 * still processed normally). With an alignment timeout, a checkpoint starts aligned, exactly like
 * {@link BarrierAligner}, and switches to unaligned once the task has waited for its barriers
 * longer than the timeout. Final checkpoints are always aligned: nothing follows their barriers,
 * and the sinks must have seen every record when they commit.
 *
 * <p>A barrier reaches a task twice: a priority notice ({@link #onPriorityBarrier}) the moment it
 * arrives at the task's input gate, and its in-band copy ({@link #onBarrier}) once the buffers in
 * front of it were processed. Per channel, either may come first. When the notice comes first the
 * task persists the channel's buffers up to the in-band copy ({@link Actions#persistInFlight});
 * when the in-band copy comes first, nothing of that channel is in front of the barrier any more.
 * The task acknowledges once every open channel is accounted for ({@link
 * Actions#inFlightCaptured}).
 *
 * <p>Threading: owned by the task thread. A pure state machine: no threads, no I/O, no clock.
 */
public final class UnalignedBarrierHandler implements BarrierHandler {

  /** What the task does for an unaligned checkpoint, on top of the aligned actions. */
  public interface Actions extends BarrierHandler.Actions {
    /**
     * Take the snapshot for this checkpoint now and forward its barrier ahead of the output not yet
     * sent, which becomes output channel state.
     */
    void snapshotUnaligned(long checkpointId, long timestampMillis, long alignmentNanos);

    /**
     * Persist, as input channel state of this checkpoint, everything of {@code channel} that is not
     * processed yet and lies in front of its in-band barrier {@code checkpointId}.
     */
    void persistInFlight(long checkpointId, int channel);

    /** Every open channel's in-flight data is captured: the checkpoint can be acknowledged. */
    void inFlightCaptured(long checkpointId);
  }

  private enum Phase {
    /** No checkpoint in progress here. */
    IDLE,
    /** Waiting for in-band barriers, blocking the channels that delivered theirs. */
    ALIGNING,
    /** Snapshot taken; waiting for the channels whose in-flight data is not captured yet. */
    CAPTURING
  }

  private final Actions actions;
  private final long alignmentTimeoutNanos;
  private final boolean[] ended;
  private final boolean[] inBand;
  private final boolean[] noticed;
  private final boolean[] captured;
  private int openChannels;
  private int inBandCount;
  private int capturedCount;
  private Phase phase = Phase.IDLE;
  private long currentId = -1;
  private long startNanos;
  private long timestampMillis;
  private boolean isFinal;

  /**
   * @param alignmentTimeoutNanos 0: unaligned from the first barrier; else align first and switch
   *     after this long
   */
  public UnalignedBarrierHandler(int channels, long alignmentTimeoutNanos, Actions actions) {
    if (alignmentTimeoutNanos < 0) {
      throw new IllegalArgumentException("alignment timeout must be >= 0");
    }
    this.actions = actions;
    this.alignmentTimeoutNanos = alignmentTimeoutNanos;
    this.ended = new boolean[channels];
    this.inBand = new boolean[channels];
    this.noticed = new boolean[channels];
    this.captured = new boolean[channels];
    this.openChannels = channels;
  }

  @Override
  public boolean isBlocked(int channel) {
    return phase == Phase.ALIGNING && inBand[channel];
  }

  @Override
  public long capturingCheckpoint(int channel) {
    return phase == Phase.CAPTURING && !captured[channel] && !ended[channel] ? currentId : -1;
  }

  /** Whether the checkpoint in progress was switched to (or started) unaligned; for tests. */
  boolean capturing() {
    return phase == Phase.CAPTURING;
  }

  @Override
  public void onPriorityBarrier(
      int channel, long checkpointId, long timestampMillis, boolean isFinal, long nowNanos) {
    if (isFinal || !begin(checkpointId, timestampMillis, false, nowNanos)) {
      return; // final barriers align; stale notices are of checkpoints done or given up here
    }
    noticed[channel] = true;
    if (phase == Phase.ALIGNING) {
      checkTimeout(nowNanos);
    } else {
      capture(channel, true);
      completeIfCaptured();
    }
  }

  @Override
  public void onBarrier(
      int channel, long checkpointId, long timestampMillis, boolean isFinal, long nowNanos) {
    if (!begin(checkpointId, timestampMillis, isFinal, nowNanos)) {
      return;
    }
    if (!inBand[channel]) {
      inBand[channel] = true;
      inBandCount++;
    }
    if (phase == Phase.ALIGNING) {
      if (inBandCount >= openChannels) {
        phase = Phase.IDLE;
        actions.snapshot(currentId, this.timestampMillis, this.isFinal, nowNanos - startNanos);
      } else {
        checkTimeout(nowNanos);
      }
    } else {
      capture(channel, false); // nothing of this channel is in front of the barrier any more
      completeIfCaptured();
    }
  }

  /**
   * Makes {@code checkpointId} current if it is new (giving up an older one in progress).
   *
   * @return false when the barrier is stale
   */
  private boolean begin(long checkpointId, long timestampMillis, boolean isFinal, long nowNanos) {
    if (checkpointId < currentId || (checkpointId == currentId && phase == Phase.IDLE)) {
      return false;
    }
    if (checkpointId > currentId) {
      if (phase != Phase.IDLE) {
        long superseded = currentId;
        reset();
        actions.abort(superseded);
      }
      reset();
      currentId = checkpointId;
      startNanos = nowNanos;
      this.timestampMillis = timestampMillis;
      this.isFinal = isFinal;
      if (isFinal || alignmentTimeoutNanos > 0) {
        phase = Phase.ALIGNING;
      } else {
        phase = Phase.CAPTURING;
        actions.snapshotUnaligned(checkpointId, timestampMillis, 0);
        captureEnded();
      }
    }
    return true;
  }

  @Override
  public long nanosUntilTimeout(long nowNanos) {
    if (phase != Phase.ALIGNING || isFinal || alignmentTimeoutNanos == 0) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, startNanos + alignmentTimeoutNanos - nowNanos);
  }

  @Override
  public void checkTimeout(long nowNanos) {
    if (nanosUntilTimeout(nowNanos) > 0) {
      return;
    }
    // switch: blocked channels delivered their barrier (what they hold is after it, not state);
    // the others' data in front of their barrier becomes channel state
    phase = Phase.CAPTURING;
    actions.snapshotUnaligned(currentId, timestampMillis, nowNanos - startNanos);
    captureEnded();
    for (int channel = 0; channel < inBand.length; channel++) {
      if (inBand[channel]) {
        capture(channel, false);
      } else if (noticed[channel]) {
        capture(channel, true);
      }
    }
    completeIfCaptured();
  }

  private void captureEnded() {
    for (int channel = 0; channel < ended.length; channel++) {
      if (ended[channel]) {
        captured[channel] = true; // not counted: ended channels are not open
      }
    }
  }

  private void capture(int channel, boolean persist) {
    if (captured[channel]) {
      return;
    }
    captured[channel] = true;
    capturedCount++;
    if (persist) {
      actions.persistInFlight(currentId, channel);
    }
  }

  private void completeIfCaptured() {
    if (phase == Phase.CAPTURING && capturedCount >= openChannels) {
      phase = Phase.IDLE;
      actions.inFlightCaptured(currentId);
    }
  }

  @Override
  public void onAbort(long checkpointId) {
    if (checkpointId < currentId || (checkpointId == currentId && phase == Phase.IDLE)) {
      return; // already completed or given up here
    }
    if (phase != Phase.IDLE && currentId < checkpointId) {
      long superseded = currentId;
      reset();
      actions.abort(superseded);
    }
    reset();
    currentId = checkpointId;
    actions.abort(checkpointId);
  }

  @Override
  public void onEndOfInput(int channel, long nowNanos) {
    if (ended[channel]) {
      return;
    }
    ended[channel] = true;
    openChannels--;
    if (phase == Phase.IDLE) {
      return;
    }
    if (inBand[channel]) {
      inBand[channel] = false;
      inBandCount--;
    }
    if (captured[channel]) {
      capturedCount--;
    }
    captured[channel] = true;
    if (phase == Phase.ALIGNING && inBandCount >= openChannels) {
      phase = Phase.IDLE;
      actions.snapshot(currentId, timestampMillis, isFinal, nowNanos - startNanos);
    } else {
      completeIfCaptured();
    }
  }

  private void reset() {
    phase = Phase.IDLE;
    Arrays.fill(inBand, false);
    Arrays.fill(noticed, false);
    Arrays.fill(captured, false);
    inBandCount = 0;
    capturedCount = 0;
  }
}
