package dev.weir.testbed;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The test bed's one way of waiting for a real component: ask a condition every 100 ms until it
 * holds or the time is up. An exception from the condition means "not yet" (a server that does not
 * listen yet refuses connections), except {@link GiveUp}, which ends the wait at once. Runs on the
 * caller's thread.
 */
final class Poll {
  private static final Duration INTERVAL = Duration.ofMillis(100);

  /** A condition to wait for. */
  interface Condition {
    boolean holds() throws Exception;
  }

  /** Thrown by a condition that can no longer come true (the server process exited). */
  static final class GiveUp extends RuntimeException {
    GiveUp(String message) {
      super(message);
    }
  }

  private Poll() {}

  /**
   * Returns once {@code condition} holds; throws {@link IllegalStateException} naming {@code what}
   * (with the condition's last failure as the cause) after {@code timeout}, or the condition's
   * {@link GiveUp}.
   */
  static void until(String what, Duration timeout, Condition condition) {
    Instant deadline = Instant.now().plus(timeout);
    Exception last = null;
    while (true) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (GiveUp e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      } catch (Exception notYet) {
        last = notYet;
      }
      if (!Instant.now().isBefore(deadline)) {
        throw new IllegalStateException("gave up waiting for " + what + " after " + timeout, last);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }
}
