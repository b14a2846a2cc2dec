package dev.weir.operator.resources;

import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobSpec;
import java.util.Objects;

/**
 * Everything the desired objects of one deployment depend on: the StreamingJob's identity, the spec
 * being deployed (not necessarily the CR's current spec: a rollback deploys the stable one), the
 * job id and the savepoint to restore. Every builder in this package is a pure function of it.
 *
 * @param restorePath savepoint handed to the coordinator as spec.initialSavepointPath; the
 *     coordinator prefers its job id's own checkpoints when it has any
 */
public record DeploymentPlan(
    String name,
    String namespace,
    String uid,
    StreamingJobSpec spec,
    String jobId,
    String restorePath) {

  public DeploymentPlan {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(jobId, "jobId");
  }

  public static DeploymentPlan of(
      StreamingJob job, StreamingJobSpec spec, String jobId, String restorePath) {
    return new DeploymentPlan(
        job.getMetadata().getName(),
        job.getMetadata().getNamespace(),
        job.getMetadata().getUid(),
        spec,
        jobId,
        restorePath);
  }
}
