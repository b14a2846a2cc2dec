package dev.weir.operator.reconciler;

import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.coordinator.SavepointOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * What the operator concludes about one savepoint request from the coordinator's answer: it
 * completed (with its path), it failed (with why), or it is still under way. A request without a
 * result after the savepoint timeout counts as failed, whether the coordinator answered IN_PROGRESS
 * or could not be reached. Pure: a function of the answer, the request and the time.
 *
 * @param path where the savepoint is, when completed
 * @param failure why it failed, when failed
 */
record SavepointVerdict(State state, String path, String failure) {

  /** The three verdicts. */
  enum State {
    IN_PROGRESS,
    COMPLETED,
    FAILED
  }

  static final SavepointVerdict IN_PROGRESS = new SavepointVerdict(State.IN_PROGRESS, null, null);

  static SavepointVerdict completed(String path) {
    return new SavepointVerdict(State.COMPLETED, path, null);
  }

  static SavepointVerdict failed(String failure) {
    return new SavepointVerdict(State.FAILED, null, failure);
  }

  /**
   * Judges the coordinator's answer to {@code request}.
   *
   * @param answer the coordinator's answer, or null when it could not be reached
   * @param unavailable why it could not be reached, or null
   * @param timeout how long after {@code request.startedAt()} a savepoint may take
   */
  static SavepointVerdict judge(
      SavepointRequest request,
      SavepointOutcome answer,
      String unavailable,
      Instant now,
      Duration timeout) {
    if (answer != null && answer.state() == SavepointOutcome.State.COMPLETED) {
      return completed(answer.path());
    }
    if (answer != null && answer.state() == SavepointOutcome.State.FAILED) {
      return failed(answer.failure());
    }
    if (Observed.olderThan(request.startedAt(), timeout, now)) {
      return failed(
          "no result within " + timeout + (unavailable == null ? "" : " (" + unavailable + ")"));
    }
    return IN_PROGRESS;
  }

  boolean settled() {
    return state != State.IN_PROGRESS;
  }

  boolean completed() {
    return state == State.COMPLETED;
  }
}
