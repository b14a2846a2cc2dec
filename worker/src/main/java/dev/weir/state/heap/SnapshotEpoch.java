package dev.weir.state.heap;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tells the heap backend when a write must copy first. Every snapshot starts a new epoch; a map or
 * container stamped with an older epoch may be referenced by a snapshot, so the task thread copies
 * it before changing it, but only while some snapshot is still being written. The epoch belongs to
 * the task thread; the in-flight count is also decremented by upload threads.
 */
final class SnapshotEpoch {
  private int current;
  private final AtomicInteger inFlight = new AtomicInteger();

  int current() {
    return current;
  }

  /**
   * Whether an object stamped with {@code stamp} must be copied before it is changed. When it need
   * not (it is younger than the last snapshot, or no snapshot is being written any more), the
   * caller restamps it with {@link #current()} and changes it in place.
   */
  boolean mustCopy(int stamp) {
    // The upload thread decrements inFlight only after it stopped reading: reading 0 here (a
    // volatile read) makes its reads happen-before our writes.
    return stamp != current && inFlight.get() > 0;
  }

  /** Called on the task thread when a snapshot captures the state. */
  void beginSnapshot() {
    inFlight.incrementAndGet();
    current++;
  }

  /** Called once per snapshot, on any thread, when it no longer reads the captured state. */
  void endSnapshot() {
    inFlight.decrementAndGet();
  }
}
