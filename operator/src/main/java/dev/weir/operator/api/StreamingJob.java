package dev.weir.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A stateful streaming job on Kubernetes: one coordinator and {@code spec.parallelism} workers,
 * checkpointing to S3-compatible storage. The same document runs locally ({@code tools/local.sh}).
 */
@Group(StreamingJob.GROUP)
@Version(StreamingJob.VERSION)
@ShortNames("sj")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Parallelism",
    jsonPath = ".status.parallelism",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Checkpoint",
    jsonPath = ".status.lastCheckpoint.id",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Checkpoint-Age",
    jsonPath = ".status.lastCheckpoint.time",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Savepoint", jsonPath = ".status.lastSavepoint.path")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class StreamingJob extends CustomResource<StreamingJobSpec, StreamingJobStatus>
    implements Namespaced {
  public static final String GROUP = "weir.dev";
  public static final String VERSION = "v1alpha1";

  /** Annotation whose every new value triggers one savepoint of the running job. */
  public static final String SAVEPOINT_ANNOTATION = "weir.dev/savepoint";

  @Override
  protected StreamingJobStatus initStatus() {
    return new StreamingJobStatus();
  }
}
