package dev.weir.operator.reconciler;

import dev.weir.operator.api.JobState;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Savepoints of the running job on request: each new value of the {@code weir.dev/savepoint}
 * annotation or of {@code spec.savepointTriggerNonce} takes exactly one savepoint (or records why
 * it could not). The request is recorded in status before it is sent (by the {@link SavepointStep})
 * and the value is marked handled together with the outcome, so neither an operator restart nor a
 * repeated event takes a second one. Used on the reconciling thread.
 */
final class ManualSavepoints {
  private final SavepointStep savepoints;
  private final JobEvents events;

  ManualSavepoints(SavepointStep savepoints, JobEvents events) {
    this.savepoints = savepoints;
    this.events = events;
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
    SavepointRequest request =
        new SavepointRequest(
            s.jobId + "-" + trigger.name().toLowerCase() + "-" + digest(value),
            trigger,
            value,
            false,
            r.now());
    if (s.deployedState != JobState.RUNNING || !r.jobRunning()) {
      finish(
          r,
          request,
          SavepointVerdict.failed(
              "the job is not running ("
                  + (s.deployedState == JobState.SUSPENDED ? "suspended" : r.describeJobState())
                  + ")"));
      return;
    }
    s.savepointRequest = request;
    r.record();
    events.normal(
        r.job,
        "SavepointTriggered",
        trigger.name().toLowerCase() + " " + value + " on job " + s.jobId);
    poll(r);
  }

  private void poll(JobRound r) {
    SavepointRequest request = r.status.savepointRequest;
    SavepointVerdict verdict = savepoints.poll(r.coordinator, request, r.now);
    if (verdict.settled()) {
      finish(r, request, verdict);
    }
  }

  /** Marks the value handled together with the outcome. */
  private void finish(JobRound r, SavepointRequest request, SavepointVerdict verdict) {
    StreamingJobStatus s = r.status;
    s.savepointRequest = null;
    if (request.trigger() == SavepointTrigger.ANNOTATION) {
      s.handledSavepointAnnotation = request.triggerValue();
    } else {
      s.handledSavepointNonce = Long.parseLong(request.triggerValue());
    }
    savepoints.conclude(
        r,
        request,
        verdict,
        request.trigger().name().toLowerCase() + " " + request.triggerValue(),
        null);
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
