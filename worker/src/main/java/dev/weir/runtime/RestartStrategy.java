package dev.weir.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Decides whether, and after what delay, a failed job restarts. Stateful (it counts failures);
 * owned by the job master's main thread.
 */
public interface RestartStrategy {

  /** The delay before the next restart, or empty when the job must fail for good. */
  Optional<Duration> onFailure(long nowMillis);

  /** A short description for logs and status. */
  String describe();

  /** Never restart. */
  static RestartStrategy none() {
    return new RestartStrategy() {
      @Override
      public Optional<Duration> onFailure(long nowMillis) {
        return Optional.empty();
      }

      @Override
      public String describe() {
        return "none";
      }
    };
  }

  /** Restart up to {@code attempts} times, waiting {@code delay} each time. */
  static RestartStrategy fixedDelay(int attempts, Duration delay) {
    return new RestartStrategy() {
      private int failures;

      @Override
      public Optional<Duration> onFailure(long nowMillis) {
        return ++failures <= attempts ? Optional.of(delay) : Optional.empty();
      }

      @Override
      public String describe() {
        return "fixed-delay (" + attempts + " attempts, " + delay.toMillis() + " ms)";
      }
    };
  }

  /** Restart unless more than {@code maxFailures} happened within {@code interval}. */
  static RestartStrategy failureRate(int maxFailures, Duration interval, Duration delay) {
    return new RestartStrategy() {
      private final Deque<Long> failures = new ArrayDeque<>();

      @Override
      public Optional<Duration> onFailure(long nowMillis) {
        failures.addLast(nowMillis);
        while (!failures.isEmpty() && failures.peekFirst() < nowMillis - interval.toMillis()) {
          failures.removeFirst();
        }
        return failures.size() <= maxFailures ? Optional.of(delay) : Optional.empty();
      }

      @Override
      public String describe() {
        return "failure-rate (" + maxFailures + " per " + interval.toMillis() + " ms)";
      }
    };
  }

  /**
   * Restart forever with a delay that grows by {@code multiplier} per failure up to {@code max},
   * back to {@code initial} after {@code resetAfter} without failure.
   */
  static RestartStrategy exponentialDelay(
      Duration initial, Duration max, double multiplier, Duration resetAfter) {
    return new RestartStrategy() {
      private Duration next = initial;
      private long lastFailure = Long.MIN_VALUE;

      @Override
      public Optional<Duration> onFailure(long nowMillis) {
        if (lastFailure != Long.MIN_VALUE && nowMillis - lastFailure > resetAfter.toMillis()) {
          next = initial;
        }
        lastFailure = nowMillis;
        Duration delay = next;
        long grown = (long) Math.min(max.toMillis(), Math.max(1, delay.toMillis()) * multiplier);
        next = Duration.ofMillis(grown);
        return Optional.of(delay);
      }

      @Override
      public String describe() {
        return "exponential-delay (" + initial.toMillis() + ".." + max.toMillis() + " ms)";
      }
    };
  }
}
