package dev.weir.runtime;

import dev.weir.failure.FailureKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides, from what kind of failure ended an attempt, what the job does next: the one place that
 * decision is made.
 *
 * <ul>
 *   <li>{@link FailureKind#STATE_UNREADABLE} of an attempt that restored a snapshot: that snapshot
 *       will never restore, so it is dropped and the next older retained one is restored at once
 *       (not counted by the restart strategy: nothing is retried); with none older the job fails,
 *       because starting without state would replay output the sinks already committed.
 *   <li>Anything else (user code, unreachable storage, infrastructure; also an unreadable state
 *       with nothing restored): the restart strategy decides between a restart from the same newest
 *       snapshot after its delay, and failing.
 * </ul>
 *
 * <p>No I/O, no threads, no clock of its own. Threading: the job master's main thread, because the
 * restart strategy it asks counts failures.
 */
public final class FailoverPolicy {
  private final RestartStrategy restartStrategy;

  public FailoverPolicy(RestartStrategy restartStrategy) {
    this.restartStrategy = restartStrategy;
  }

  /**
   * @param kind what the failure was
   * @param restoredFrom the snapshot the failed attempt restored, or null when it started empty
   * @param retained the ids of the retained snapshots (checkpoints and savepoints), any order
   * @param nowMillis the main thread's clock, for the restart strategy
   */
  public FailoverDecision decide(
      FailureKind kind, Long restoredFrom, List<Long> retained, long nowMillis) {
    if (kind == FailureKind.STATE_UNREADABLE && restoredFrom != null) {
      Optional<Long> older = retained.stream().filter(id -> id < restoredFrom).max(Long::compareTo);
      if (older.isEmpty()) {
        return FailoverDecision.fail(
            "snapshot "
                + restoredFrom
                + " cannot be restored and no older one is retained (starting without state"
                + " would replay output the sinks already committed)");
      }
      return FailoverDecision.fallBack(
          restoredFrom,
          older.get(),
          "snapshot " + restoredFrom + " cannot be restored; falling back to " + older.get());
    }
    Optional<Duration> delay = restartStrategy.onFailure(nowMillis);
    if (delay.isEmpty()) {
      return FailoverDecision.fail(
          "restart strategy "
              + restartStrategy.describe()
              + " gives up after a "
              + kind
              + " failure");
    }
    return FailoverDecision.restart(
        delay.get(), kind + " failure: restarting in " + delay.get().toMillis() + " ms");
  }
}
