package dev.weir.operator.reconciler;

import dev.weir.operator.api.JobState;
import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.SavepointOutcome;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Savepoints of the running job on request: each new value of the {@code weir.dev/savepoint}
 * annotation or of {@code spec.savepointTriggerNonce} takes exactly one savepoint (or records why
 * it could not). The request is recorded in status before it is sent and the value is marked
 * handled together with the outcome, so neither an operator restart nor a repeated event takes a
 * second one.
 */
final class ManualSavepoints {
  private final JobEvents events;
  private final OperatorSettings settings;
  private final OperatorMetrics metrics;

  ManualSavepoints(JobEvents events, OperatorSettings settings, OperatorMetrics metrics) {
    this.events = events;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Called when no transition is in progress. */
  void handle(JobRound r) {
    StreamingJobStatus s = r.status;
    if (s.savepointRequest != null) {
      poll(r);
      return;
    }
    Map<String, String> annotations = r.job.getMetadata().getAnnotations();
    String annotation =
        annotations == null ? null : annotations.get(StreamingJob.SAVEPOINT_ANNOTATION);
    if (annotation != null && !annotation.equals(s.handledSavepointAnnotation)) {
      begin(r, SavepointTrigger.ANNOTATION, annotation);
      return;
    }
    Long nonce = r.job.getSpec().savepointTriggerNonce();
    if (nonce != null && !nonce.equals(s.handledSavepointNonce)) {
      begin(r, SavepointTrigger.NONCE, nonce.toString());
    }
  }

  private void begin(JobRound r, SavepointTrigger trigger, String value) {
    StreamingJobStatus s = r.status;
    if (s.deployedState != JobState.RUNNING || !r.jobRunning()) {
      finish(
          r,
          trigger,
          value,
          null,
          "the job is not running ("
              + (s.deployedState == JobState.SUSPENDED ? "suspended" : r.describeJobState())
              + ")");
      return;
    }
    s.savepointRequest =
        new SavepointRequest(
            s.jobId + "-" + trigger.name().toLowerCase() + "-" + digest(value),
            trigger,
            value,
            false,
            r.now());
    r.record();
    events.normal(
        r.job,
        "SavepointTriggered",
        trigger.name().toLowerCase() + " " + value + " on job " + s.jobId);
    poll(r);
  }

  private void poll(JobRound r) {
    SavepointRequest request = r.status.savepointRequest;
    SavepointOutcome outcome = null;
    String unavailable = null;
    try {
      outcome = r.coordinator.savepoint(request.requestId());
      if (outcome.state() == SavepointOutcome.State.UNKNOWN) {
        outcome = r.coordinator.triggerSavepoint(request.requestId(), false);
        metrics.savepointTriggered(request.trigger());
      }
    } catch (CoordinatorUnavailableException e) {
      unavailable = e.getMessage();
    }
    if (outcome != null && outcome.state() == SavepointOutcome.State.COMPLETED) {
      finish(r, request.trigger(), request.triggerValue(), outcome.path(), null);
    } else if (outcome != null && outcome.state() == SavepointOutcome.State.FAILED) {
      finish(r, request.trigger(), request.triggerValue(), null, outcome.failure());
    } else if (r.olderThan(request.startedAt(), settings.savepointTimeout())) {
      finish(
          r,
          request.trigger(),
          request.triggerValue(),
          null,
          "no result within "
              + settings.savepointTimeout()
              + (unavailable == null ? "" : " (" + unavailable + ")"));
    }
  }

  private void finish(
      JobRound r, SavepointTrigger trigger, String value, String path, String failure) {
    StreamingJobStatus s = r.status;
    r.remember(new SavepointInfo(path, r.now(), trigger, value, s.jobId, failure));
    s.savepointRequest = null;
    if (trigger == SavepointTrigger.ANNOTATION) {
      s.handledSavepointAnnotation = value;
    } else {
      s.handledSavepointNonce = Long.parseLong(value);
    }
    r.record();
    metrics.savepoint(trigger, failure == null);
    if (failure == null) {
      events.normal(
          r.job, "SavepointCompleted", trigger.name().toLowerCase() + " " + value + ": " + path);
    } else {
      events.warning(
          r.job, "SavepointFailed", trigger.name().toLowerCase() + " " + value + ": " + failure);
    }
  }

  private static String digest(String value) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
