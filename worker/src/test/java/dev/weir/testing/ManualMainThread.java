package dev.weir.testing;

import dev.weir.concurrent.MainThreadExecutor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * A {@link MainThreadExecutor} driven by the test: actions run when the test calls {@link
 * #runPending()} or moves time with {@link #advance}. Single-threaded, deterministic.
 */
public final class ManualMainThread implements MainThreadExecutor {
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long nanos = 1_000_000_000L;
  private long seq;

  private static final class Timer implements Cancellable {
    final long due;
    final long seq;
    final Runnable action;
    boolean cancelled;

    Timer(long due, long seq, Runnable action) {
      this.due = due;
      this.seq = seq;
      this.action = action;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Override
  public void execute(Runnable action) {
    queue.add(action);
  }

  @Override
  public Cancellable schedule(Runnable action, Duration delay) {
    Timer timer = new Timer(nanos + delay.toNanos(), seq++, action);
    timers.add(timer);
    return timer;
  }

  /** Runs queued actions (and what they queue) until none is left. */
  public void runPending() {
    Runnable action;
    while ((action = queue.poll()) != null) {
      action.run();
    }
  }

  /** Moves time forward, running due timers in order, and queued actions after each. */
  public void advance(Duration by) {
    long target = nanos + by.toNanos();
    runPending();
    while (!timers.isEmpty() && timers.peek().due <= target) {
      Timer timer = timers.poll();
      nanos = Math.max(nanos, timer.due);
      if (!timer.cancelled) {
        timer.action.run();
      }
      runPending();
    }
    nanos = target;
  }

  @Override
  public long currentTimeMillis() {
    return nanos / 1_000_000;
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  @Override
  public boolean isMainThread() {
    return true;
  }
}
