package dev.weir.checkpoint;

/**
 * Exactly-once barrier alignment: once barrier n arrived on a channel, that channel is blocked
 * until barrier n arrived on every open channel; then the task snapshots and everything is
 * released. A newer barrier or an abort ends an alignment in progress.
 *
 * <p>Threading: owned by the task thread.
 */
public final class BarrierAligner implements BarrierHandler {
  private final Actions actions;
  private final boolean[] blocked;
  private final boolean[] ended;
  private int blockedCount;
  private int openChannels;
  private long currentId = -1;
  private boolean aligning;
  private long alignmentStartNanos;
  private long timestampMillis;
  private boolean isFinal;

  public BarrierAligner(int channels, Actions actions) {
    this.actions = actions;
    this.blocked = new boolean[channels];
    this.ended = new boolean[channels];
    this.openChannels = channels;
  }

  @Override
  public boolean isBlocked(int channel) {
    return blocked[channel];
  }

  @Override
  public void onBarrier(
      int channel, long checkpointId, long timestampMillis, boolean isFinal, long nowNanos) {
    if (checkpointId > currentId) {
      if (aligning) {
        long superseded = currentId;
        release();
        actions.abort(superseded);
      }
      currentId = checkpointId;
      aligning = true;
      alignmentStartNanos = nowNanos;
      this.timestampMillis = timestampMillis;
      this.isFinal = isFinal;
    } else if (checkpointId < currentId || !aligning) {
      return; // stale: that checkpoint was completed or given up here already
    }
    if (!blocked[channel]) {
      blocked[channel] = true;
      blockedCount++;
    }
    completeIfAligned(nowNanos);
  }

  private void completeIfAligned(long nowNanos) {
    if (aligning && blockedCount >= openChannels) {
      release();
      actions.snapshot(currentId, timestampMillis, isFinal, nowNanos - alignmentStartNanos);
    }
  }

  @Override
  public void onAbort(long checkpointId) {
    if (checkpointId < currentId || (checkpointId == currentId && !aligning)) {
      return; // already completed or given up here
    }
    if (aligning && currentId < checkpointId) {
      long superseded = currentId;
      release();
      actions.abort(superseded);
    }
    release();
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
    if (blocked[channel]) {
      blocked[channel] = false;
      blockedCount--;
    }
    completeIfAligned(nowNanos);
  }

  private void release() {
    aligning = false;
    java.util.Arrays.fill(blocked, false);
    blockedCount = 0;
  }
}
