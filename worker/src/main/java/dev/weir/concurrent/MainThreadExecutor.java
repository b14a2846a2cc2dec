package dev.weir.concurrent;

import java.time.Duration;

/**
 * The single thread that owns a component's state (job master, checkpoint coordinator), with its
 * clock. Everything that touches that state runs through here, so the state needs no locks and
 * tests can drive time by hand.
 */
public interface MainThreadExecutor {
  /** Runs {@code action} on the main thread, after what is already queued. */
  void execute(Runnable action);

  /** Runs {@code action} on the main thread after {@code delay}. */
  Cancellable schedule(Runnable action, Duration delay);

  /** Wall-clock time in milliseconds (for timestamps shown to users). */
  long currentTimeMillis();

  /** Monotonic time in nanoseconds (for durations and timeouts). */
  long nanoTime();

  /** Whether the caller runs on the main thread. */
  boolean isMainThread();

  /** A scheduled action that can still be called off. */
  interface Cancellable {
    void cancel();
  }
}
