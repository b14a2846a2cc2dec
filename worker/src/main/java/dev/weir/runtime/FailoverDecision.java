package dev.weir.runtime;

import java.time.Duration;

/**
 * What the job master does after an attempt failed, as {@link FailoverPolicy} decided it.
 * Immutable.
 *
 * @param action what to do
 * @param delay for {@link Action#RESTART}: how long to wait first
 * @param unreadableCheckpoint for {@link Action#FALL_BACK}: the checkpoint to drop
 * @param olderCheckpoint for {@link Action#FALL_BACK}: the checkpoint restored instead
 * @param reason why, for the log and (on {@link Action#FAIL}) the job's failure
 */
public record FailoverDecision(
    Action action, Duration delay, long unreadableCheckpoint, long olderCheckpoint, String reason) {

  public enum Action {
    /** Deploy again from the same newest snapshot after the delay (the restart strategy agreed). */
    RESTART,
    /** The restored snapshot cannot be read: drop it and deploy at once from the next older one. */
    FALL_BACK,
    /** The job fails for good. */
    FAIL
  }

  static FailoverDecision restart(Duration delay, String reason) {
    return new FailoverDecision(Action.RESTART, delay, -1, -1, reason);
  }

  static FailoverDecision fallBack(long unreadable, long older, String reason) {
    return new FailoverDecision(Action.FALL_BACK, Duration.ZERO, unreadable, older, reason);
  }

  static FailoverDecision fail(String reason) {
    return new FailoverDecision(Action.FAIL, Duration.ZERO, -1, -1, reason);
  }
}
