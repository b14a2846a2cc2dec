package dev.weir.checkpoint;

import java.util.TreeMap;

/**
 * At-least-once barrier tracking: never blocks a channel; snapshots when barrier n has arrived on
 * every open channel. Records after an early barrier are in the snapshot and are processed again
 * after a recovery, hence at-least-once.
 *
 * <p>Threading: owned by the task thread.
 */
public final class BarrierTracker implements BarrierHandler {
  private final Actions actions;
  private final boolean[] ended;
  private int openChannels;

  /** Checkpoint id → channels that delivered its barrier. */
  private final TreeMap<Long, Arrival> arrivals = new TreeMap<>();

  private long lastCompleted = -1;

  private static final class Arrival {
    final boolean[] seen;
    int count;
    final long timestampMillis;
    final boolean isFinal;
    final long firstNanos;

    Arrival(int channels, long timestampMillis, boolean isFinal, long firstNanos) {
      this.seen = new boolean[channels];
      this.timestampMillis = timestampMillis;
      this.isFinal = isFinal;
      this.firstNanos = firstNanos;
    }
  }

  public BarrierTracker(int channels, Actions actions) {
    this.actions = actions;
    this.ended = new boolean[channels];
    this.openChannels = channels;
  }

  @Override
  public boolean isBlocked(int channel) {
    return false;
  }

  @Override
  public void onBarrier(
      int channel, long checkpointId, long timestampMillis, boolean isFinal, long nowNanos) {
    if (checkpointId <= lastCompleted) {
      return;
    }
    Arrival arrival =
        arrivals.computeIfAbsent(
            checkpointId, id -> new Arrival(ended.length, timestampMillis, isFinal, nowNanos));
    if (!arrival.seen[channel]) {
      arrival.seen[channel] = true;
      arrival.count++;
    }
    completeIfAllArrived(checkpointId, arrival, nowNanos);
  }

  private void completeIfAllArrived(long checkpointId, Arrival arrival, long nowNanos) {
    if (arrival.count >= openChannels) {
      // older incomplete checkpoints can no longer complete in order: give them up
      for (long older : arrivals.headMap(checkpointId).keySet()) {
        actions.abort(older);
      }
      arrivals.headMap(checkpointId, true).clear();
      lastCompleted = checkpointId;
      actions.snapshot(checkpointId, arrival.timestampMillis, arrival.isFinal, 0);
    }
  }

  @Override
  public void onAbort(long checkpointId) {
    if (arrivals.remove(checkpointId) != null) {
      actions.abort(checkpointId);
    }
  }

  @Override
  public void onEndOfInput(int channel, long nowNanos) {
    if (ended[channel]) {
      return;
    }
    ended[channel] = true;
    openChannels--;
    for (var entry : new TreeMap<>(arrivals).entrySet()) {
      Arrival arrival = entry.getValue();
      if (arrival.seen[channel]) {
        arrival.seen[channel] = false;
        arrival.count--;
      }
      completeIfAllArrived(entry.getKey(), arrival, nowNanos);
    }
  }
}
