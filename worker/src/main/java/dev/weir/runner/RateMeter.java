package dev.weir.runner;

import java.util.function.LongSupplier;

/**
 * A rate per second of a growing counter, measured between two reads. Thread-safe (reads are rare:
 * HTTP requests).
 */
final class RateMeter {
  private final LongSupplier counter;
  private long lastValue;
  private long lastNanos = System.nanoTime();

  RateMeter(LongSupplier counter) {
    this.counter = counter;
    this.lastValue = counter.getAsLong();
  }

  synchronized Double perSecond() {
    long now = System.nanoTime();
    long value = counter.getAsLong();
    double rate = Math.max(0, value - lastValue) * 1e9 / Math.max(1, now - lastNanos);
    lastValue = value;
    lastNanos = now;
    return rate;
  }
}
