package dev.weir.checkpoint.barrier;

import java.util.Arrays;

/**
 * Exactly-once barrier handling, one checkpoint at a time: brings barrier n of every open channel
 * together before the checkpoint counts as taken here, either by blocking the channels that
 * delivered it (aligned) or by snapshotting at the first barrier and persisting what is still in
 * front of the others (unaligned, as Flink's FLIP-76).
 *
 * <pre>
 * WAITING_FOR_FIRST_BARRIER
 *   barrier n that aligns (aligned mode, final, savepoint, with a timeout)  → ALIGNING
 *   barrier or notice n (unaligned, no timeout)  → CAPTURING_IN_FLIGHT: snapshotUnaligned
 * ALIGNING
 *   barrier n of the last open channel, or the last channel without it ended
 *                                                → WAITING_FOR_FIRST_BARRIER: snapshot
 *   alignment timeout expired                    → CAPTURING_IN_FLIGHT: snapshotUnaligned
 * CAPTURING_IN_FLIGHT
 *   the last open channel accounted for          → WAITING_FOR_FIRST_BARRIER: inFlightCaptured
 * ALIGNING or CAPTURING_IN_FLIGHT
 *   barrier of a newer checkpoint m              → abort n, then as WAITING_FOR_FIRST_BARRIER
 *   abort of n (or of a newer one)               → WAITING_FOR_FIRST_BARRIER: abort
 * </pre>
 *
 * <ul>
 *   <li>{@link Phase#WAITING_FOR_FIRST_BARRIER}: no checkpoint in progress; barriers of the last
 *       one taken or given up here are stale.
 *   <li>{@link Phase#ALIGNING}: each channel whose in-band barrier n arrived is blocked (the task
 *       parks its buffers unrecycled, so that sender runs out of credit) until every open channel
 *       delivered it; then the snapshot is taken. With an alignment timeout, a checkpoint that can
 *       be unaligned switches to capturing once it waited that long after its first barrier.
 *   <li>{@link Phase#CAPTURING_IN_FLIGHT}: the snapshot is taken; no channel is blocked. A barrier
 *       reaches the task twice: its notice ({@link #onBarrierNotice}) the moment it arrives at the
 *       input gate, and its in-band copy ({@link #onBarrier}) once the buffers in front of it were
 *       processed. When the notice comes first, the task persists the channel's buffers up to the
 *       in-band copy ({@link Actions#persistInFlight}); when the in-band copy comes first, nothing
 *       of that channel is in front of the barrier any more. Once every open channel is accounted
 *       for, the checkpoint is acknowledged ({@link Actions#inFlightCaptured}).
 * </ul>
 *
 * <p>Final barriers and savepoints ({@link Barrier#canBeUnaligned()} false) always align.
 *
 * <p>Threading: owned by the task thread; a pure state machine (no threads, no I/O, no clock).
 */
public final class BarrierAligner implements BarrierHandler {

  /** Where the checkpoint in progress stands. */
  enum Phase {
    WAITING_FOR_FIRST_BARRIER,
    ALIGNING,
    CAPTURING_IN_FLIGHT
  }

  /** Deadline of an alignment that never switches to unaligned. */
  private static final long NEVER = Long.MAX_VALUE;

  private final Actions actions;
  private final boolean unaligned;
  private final long alignmentTimeoutNanos;
  private final OpenChannels channels;
  private final boolean[] received;
  private final boolean[] noticed;
  private final boolean[] captured;
  private int receivedCount;
  private int capturedCount;
  private Phase phase = Phase.WAITING_FOR_FIRST_BARRIER;
  private long currentId = -1;
  private Barrier current;
  private long startNanos;
  private long deadlineNanos = NEVER;

  private BarrierAligner(
      int inputChannels, boolean unaligned, long alignmentTimeoutNanos, Actions actions) {
    if (alignmentTimeoutNanos < 0) {
      throw new IllegalArgumentException("alignment timeout must be >= 0");
    }
    this.actions = actions;
    this.unaligned = unaligned;
    this.alignmentTimeoutNanos = alignmentTimeoutNanos;
    this.channels = new OpenChannels(inputChannels);
    this.received = new boolean[inputChannels];
    this.noticed = new boolean[inputChannels];
    this.captured = new boolean[inputChannels];
  }

  /** Aligned checkpoints only: every checkpoint blocks the early channels until all delivered. */
  public static BarrierAligner aligned(int channels, Actions actions) {
    return new BarrierAligner(channels, false, 0, actions);
  }

  /**
   * Unaligned checkpoints (final barriers and savepoints still align).
   *
   * @param alignmentTimeoutNanos 0: unaligned from the first barrier; else align first and switch
   *     after this long
   */
  public static BarrierAligner unaligned(
      int channels, long alignmentTimeoutNanos, Actions actions) {
    return new BarrierAligner(channels, true, alignmentTimeoutNanos, actions);
  }

  /** The phase of the checkpoint in progress; for tests. */
  Phase phase() {
    return phase;
  }

  @Override
  public boolean isBlocked(int channel) {
    return phase == Phase.ALIGNING && received[channel];
  }

  @Override
  public long capturingCheckpoint(int channel) {
    return phase == Phase.CAPTURING_IN_FLIGHT && !captured[channel] && !channels.isEnded(channel)
        ? currentId
        : -1;
  }

  @Override
  public void onBarrierNotice(int channel, Barrier barrier, long nowNanos) {
    if (!unaligned || !barrier.canBeUnaligned() || !begin(barrier, nowNanos)) {
      return; // aligned barriers wait for their in-band copy; stale notices are of done ones
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
  public void onBarrier(int channel, Barrier barrier, long nowNanos) {
    if (!begin(barrier, nowNanos)) {
      return;
    }
    if (!received[channel]) {
      received[channel] = true;
      receivedCount++;
    }
    if (phase == Phase.ALIGNING) {
      if (!completeIfAligned(nowNanos)) {
        checkTimeout(nowNanos);
      }
    } else {
      capture(channel, false); // nothing of this channel is in front of the barrier any more
      completeIfCaptured();
    }
  }

  /**
   * Makes {@code barrier}'s checkpoint current if it is new (giving up an older one in progress).
   *
   * @return false when the barrier is stale: its checkpoint was taken or given up here already
   */
  private boolean begin(Barrier barrier, long nowNanos) {
    long checkpointId = barrier.checkpointId();
    if (checkpointId < currentId
        || (checkpointId == currentId && phase == Phase.WAITING_FOR_FIRST_BARRIER)) {
      return false;
    }
    if (checkpointId > currentId) {
      giveUpCurrent();
      currentId = checkpointId;
      current = barrier;
      startNanos = nowNanos;
      boolean canBeUnaligned = unaligned && barrier.canBeUnaligned();
      if (canBeUnaligned && alignmentTimeoutNanos == 0) {
        startCapturing(0);
      } else {
        phase = Phase.ALIGNING;
        deadlineNanos = canBeUnaligned ? nowNanos + alignmentTimeoutNanos : NEVER;
      }
    }
    return true;
  }

  @Override
  public long nanosUntilTimeout(long nowNanos) {
    if (phase != Phase.ALIGNING || deadlineNanos == NEVER) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, deadlineNanos - nowNanos);
  }

  @Override
  public void checkTimeout(long nowNanos) {
    if (nanosUntilTimeout(nowNanos) > 0) {
      return;
    }
    // blocked channels delivered their barrier (what they hold is after it, not state); the
    // others' data in front of their barrier becomes channel state
    startCapturing(nowNanos - startNanos);
    for (int channel = 0; channel < received.length; channel++) {
      if (received[channel]) {
        capture(channel, false);
      } else if (noticed[channel]) {
        capture(channel, true);
      }
    }
    completeIfCaptured();
  }

  private void startCapturing(long alignmentNanos) {
    phase = Phase.CAPTURING_IN_FLIGHT;
    deadlineNanos = NEVER;
    actions.snapshotUnaligned(current, alignmentNanos);
    for (int channel = 0; channel < channels.total(); channel++) {
      if (channels.isEnded(channel)) {
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

  /** ALIGNING: snapshot once every open channel delivered its barrier. */
  private boolean completeIfAligned(long nowNanos) {
    if (receivedCount < channels.count()) {
      return false;
    }
    reset();
    actions.snapshot(current, nowNanos - startNanos);
    return true;
  }

  /** CAPTURING_IN_FLIGHT: acknowledge once every open channel is accounted for. */
  private void completeIfCaptured() {
    if (phase == Phase.CAPTURING_IN_FLIGHT && capturedCount >= channels.count()) {
      reset();
      actions.inFlightCaptured(currentId);
    }
  }

  @Override
  public void onAbort(long checkpointId, long nowNanos) {
    if (checkpointId < currentId
        || (checkpointId == currentId && phase == Phase.WAITING_FOR_FIRST_BARRIER)) {
      return; // already taken or given up here
    }
    if (checkpointId > currentId) {
      giveUpCurrent();
    }
    reset();
    currentId = checkpointId;
    actions.abort(checkpointId);
  }

  @Override
  public void onEndOfInput(int channel, long nowNanos) {
    if (!channels.end(channel) || phase == Phase.WAITING_FOR_FIRST_BARRIER) {
      return;
    }
    if (received[channel]) {
      received[channel] = false;
      receivedCount--;
    }
    if (captured[channel]) {
      capturedCount--;
    }
    captured[channel] = true;
    if (phase == Phase.ALIGNING) {
      completeIfAligned(nowNanos);
    } else {
      completeIfCaptured();
    }
  }

  /** A newer checkpoint overtakes the one in progress: that one is given up here. */
  private void giveUpCurrent() {
    if (phase != Phase.WAITING_FOR_FIRST_BARRIER) {
      long superseded = currentId;
      reset();
      actions.abort(superseded);
    }
    reset();
  }

  private void reset() {
    phase = Phase.WAITING_FOR_FIRST_BARRIER;
    deadlineNanos = NEVER;
    Arrays.fill(received, false);
    Arrays.fill(noticed, false);
    Arrays.fill(captured, false);
    receivedCount = 0;
    capturedCount = 0;
  }
}
