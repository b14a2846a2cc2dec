package dev.weir.operator.reconciler;

import dev.weir.operator.api.StreamingJob;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a StreamingJob, one per transition, and the same line in the log. An Event
 * that cannot be written is logged and dropped: Events inform, status is the record.
 */
public final class JobEvents {
  private static final Logger LOG = LoggerFactory.getLogger(JobEvents.class);
  private final KubernetesClient client;
  private final Clock clock;

  public JobEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(StreamingJob job, String reason, String message) {
    emit(job, "Normal", reason, message);
  }

  public void warning(StreamingJob job, String reason, String message) {
    emit(job, "Warning", reason, message);
  }

  private void emit(StreamingJob job, String type, String reason, String message) {
    String ns = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    if ("Warning".equals(type)) {
      LOG.warn("[{}/{}] {}: {}", ns, name, reason, message);
    } else {
      LOG.info("[{}/{}] {}: {}", ns, name, reason, message);
    }
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(name + ".")
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(job.getApiVersion())
                  .withKind(job.getKind())
                  .withName(name)
                  .withNamespace(ns)
                  .withUid(job.getMetadata().getUid())
                  .endInvolvedObject()
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource()
                  .withComponent("weir-operator")
                  .endSource()
                  .withReportingComponent("weir-operator")
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn("[{}/{}] could not record event {}: {}", ns, name, reason, e.getMessage());
    }
  }
}
