package dev.weir.checkpoint.barrier;

import dev.weir.state.SnapshotType;
import java.util.ArrayList;
import java.util.List;

/** Writes down what a barrier handler asks of its task, one line per action, in order. */
final class RecordingActions implements BarrierHandler.Actions {
  /** A task's clock (System.nanoTime) is anywhere, never at 0: a fixture at 0 hid a bug. */
  static final long T0 = 7_300_000_000_000L;

  /** When the coordinator triggered (wall clock, 2026-01-01T00:00:00Z). */
  static final long TRIGGERED = 1_767_225_600_000L;

  static final long MS = 1_000_000L;

  final List<String> actions = new ArrayList<>();

  /** The barriers handed to the snapshots, in order. */
  final List<Barrier> snapshotted = new ArrayList<>();

  static Barrier checkpoint(long id) {
    return new Barrier(id, TRIGGERED + id, SnapshotType.CHECKPOINT, false);
  }

  static Barrier finalCheckpoint(long id) {
    return new Barrier(id, TRIGGERED + id, SnapshotType.CHECKPOINT, true);
  }

  static Barrier savepoint(long id) {
    return new Barrier(id, TRIGGERED + id, SnapshotType.SAVEPOINT, false);
  }

  @Override
  public void snapshot(Barrier barrier, long alignmentNanos) {
    snapshotted.add(barrier);
    actions.add("aligned snapshot " + describe(barrier) + " after " + alignmentNanos);
  }

  @Override
  public void snapshotUnaligned(Barrier barrier, long alignmentNanos) {
    snapshotted.add(barrier);
    actions.add("unaligned snapshot " + describe(barrier) + " after " + alignmentNanos);
  }

  @Override
  public void persistInFlight(long checkpointId, int channel) {
    actions.add("persist " + checkpointId + " channel " + channel);
  }

  @Override
  public void inFlightCaptured(long checkpointId) {
    actions.add("captured " + checkpointId);
  }

  @Override
  public void abort(long checkpointId) {
    actions.add("abort " + checkpointId);
  }

  private static String describe(Barrier barrier) {
    return barrier.checkpointId()
        + (barrier.isFinal() ? " final" : "")
        + (barrier.type() == SnapshotType.SAVEPOINT ? " savepoint" : "");
  }
}
