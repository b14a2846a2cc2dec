package dev.weir.checkpoint.barrier;

import java.util.TreeMap;

/**
 * At-least-once barrier tracking: never blocks a channel; snapshots when barrier n has arrived on
 * every open channel. Records after an early barrier are in the snapshot and are processed again
 * after a recovery, hence at-least-once. Several checkpoints may be tracked at once; completing one
 * gives up every older one still incomplete.
 *
 * <p>Threading: owned by the task thread; a pure state machine (no threads, no I/O, no clock).
 */
public final class BarrierTracker implements BarrierHandler {
  private final Actions actions;
  private final OpenChannels channels;

  /** Checkpoint id → channels that delivered its barrier. */
  private final TreeMap<Long, Arrival> arrivals = new TreeMap<>();

  private long lastCompleted = -1;

  private static final class Arrival {
    final Barrier barrier;
    final boolean[] seen;
    int count;

    Arrival(Barrier barrier, int channels) {
      this.barrier = barrier;
      this.seen = new boolean[channels];
    }
  }

  public BarrierTracker(int inputChannels, Actions actions) {
    this.actions = actions;
    this.channels = new OpenChannels(inputChannels);
  }

  /** Never: at-least-once lets records after an early barrier through. */
  @Override
  public boolean isBlocked(int channel) {
    return false;
  }

  @Override
  public void onBarrier(int channel, Barrier barrier, long nowNanos) {
    long checkpointId = barrier.checkpointId();
    if (checkpointId <= lastCompleted) {
      return;
    }
    Arrival arrival =
        arrivals.computeIfAbsent(checkpointId, id -> new Arrival(barrier, channels.total()));
    if (!arrival.seen[channel]) {
      arrival.seen[channel] = true;
      arrival.count++;
    }
    completeIfAllArrived(checkpointId, arrival);
  }

  /** Nothing to do: at-least-once gates give no notices (barriers never overtake data). */
  @Override
  public void onBarrierNotice(int channel, Barrier barrier, long nowNanos) {}

  private void completeIfAllArrived(long checkpointId, Arrival arrival) {
    if (arrival.count >= channels.count()) {
      // older incomplete checkpoints can no longer complete in order: give them up
      for (long older : arrivals.headMap(checkpointId).keySet()) {
        actions.abort(older);
      }
      arrivals.headMap(checkpointId, true).clear();
      lastCompleted = checkpointId;
      actions.snapshot(arrival.barrier, 0);
    }
  }

  @Override
  public void onAbort(long checkpointId, long nowNanos) {
    if (arrivals.remove(checkpointId) != null) {
      actions.abort(checkpointId);
    }
  }

  @Override
  public void onEndOfInput(int channel, long nowNanos) {
    if (!channels.end(channel)) {
      return;
    }
    for (var entry : new TreeMap<>(arrivals).entrySet()) {
      Arrival arrival = entry.getValue();
      if (arrival.seen[channel]) {
        arrival.seen[channel] = false;
        arrival.count--;
      }
      completeIfAllArrived(entry.getKey(), arrival);
    }
  }

  /** Never: nothing waits, so nothing times out. */
  @Override
  public long nanosUntilTimeout(long nowNanos) {
    return Long.MAX_VALUE;
  }

  @Override
  public void checkTimeout(long nowNanos) {}

  /** Never: at-least-once snapshots hold no channel state. */
  @Override
  public long capturingCheckpoint(int channel) {
    return -1;
  }
}
