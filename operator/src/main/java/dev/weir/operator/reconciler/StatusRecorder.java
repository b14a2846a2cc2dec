package dev.weir.operator.reconciler;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.resources.SpecCodec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.UncheckedIOException;

/**
 * Writes a StreamingJob's status at once (server-side apply of the status subresource), so the
 * caller can rely on it being recorded before its next side effect. Status is the operator's
 * write-ahead log; this is its only writer.
 */
final class StatusRecorder {
  private final KubernetesClient client;

  StatusRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** Records the status and returns the stored object. */
  StreamingJob record(StreamingJob job, StreamingJobStatus status) {
    StreamingJob patch = new StreamingJob();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(job.getMetadata().getName())
            .withNamespace(job.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    StreamingJob stored =
        client
            .resources(StreamingJob.class)
            .inNamespace(job.getMetadata().getNamespace())
            .withName(job.getMetadata().getName())
            .subresource("status")
            .patch(
                new PatchContext.Builder()
                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                    .withFieldManager(JobWorkloads.FIELD_MANAGER)
                    .withForce(true)
                    .build(),
                patch);
    return stored;
  }

  static String fingerprint(StreamingJobStatus status) {
    try {
      return SpecCodec.json().writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A deep copy, to compare what a reconciliation changed. */
  static StreamingJobStatus copy(StreamingJobStatus status) {
    try {
      return SpecCodec.json().readValue(fingerprint(status), StreamingJobStatus.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
