package dev.weir.operator.reconciler;

import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.SavepointOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * The operator's one savepoint step, used by transitions (the stop-with-savepoint of an upgrade or
 * a suspend), manual savepoints (annotation, nonce) and deletion (the final savepoint). The caller
 * records the {@link SavepointRequest} in status before the first {@link #poll}; each poll asks the
 * coordinator for that request id and sends the request only when the coordinator never saw it
 * (savepoint requests are idempotent by id, so a restarted operator or coordinator never takes a
 * second one for the same request). A settled verdict is {@linkplain #conclude concluded} the same
 * way for every caller: history, status, metric, Event. Used on the reconciling thread only.
 */
final class SavepointStep {
  private final JobEvents events;
  private final OperatorMetrics metrics;
  private final Duration timeout;

  SavepointStep(JobEvents events, OperatorMetrics metrics, Duration timeout) {
    this.events = events;
    this.metrics = metrics;
    this.timeout = timeout;
  }

  /** Asks for the savepoint of {@code request} (sending it if unknown) and judges the answer. */
  SavepointVerdict poll(CoordinatorClient coordinator, SavepointRequest request, Instant now) {
    SavepointOutcome answer = null;
    String unavailable = null;
    try {
      answer = coordinator.savepoint(request.requestId());
      if (answer.state() == SavepointOutcome.State.UNKNOWN) {
        answer =
            coordinator.triggerSavepoint(request.requestId(), Boolean.TRUE.equals(request.stop()));
        metrics.savepointTriggered(request.trigger());
      }
    } catch (CoordinatorUnavailableException e) {
      unavailable = e.getMessage();
    }
    return SavepointVerdict.judge(request, answer, unavailable, now, timeout);
  }

  /**
   * Records a settled savepoint together with whatever the caller changed in status for it: adds it
   * to the history (and lastSavepoint), writes the status, counts it, and tells it as a {@code
   * SavepointCompleted} or {@code SavepointFailed} Event "{@code subject}: path or failure",
   * followed by "; {@code consequence}" when there is one.
   */
  void conclude(
      JobRound r,
      SavepointRequest request,
      SavepointVerdict verdict,
      String subject,
      String consequence) {
    r.remember(
        new SavepointInfo(
            verdict.path(),
            r.now(),
            request.trigger(),
            request.triggerValue(),
            r.status.jobId,
            verdict.failure()));
    r.record();
    metrics.savepoint(request.trigger(), verdict.completed());
    String message =
        subject
            + ": "
            + (verdict.completed() ? verdict.path() : verdict.failure())
            + (consequence == null ? "" : "; " + consequence);
    if (verdict.completed()) {
      events.normal(r.job, "SavepointCompleted", message);
    } else {
      events.warning(r.job, "SavepointFailed", message);
    }
  }
}
