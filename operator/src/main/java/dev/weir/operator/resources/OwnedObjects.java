package dev.weir.operator.resources;

import dev.weir.operator.api.StreamingJob;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Map;

/** Metadata shared by every object a StreamingJob owns: labels and the controller reference. */
final class OwnedObjects {
  private OwnedObjects() {}

  static ObjectMeta metadata(DeploymentPlan plan, String name, String component) {
    return metadata(plan, name, JobObjectNames.common(plan.name(), component));
  }

  static ObjectMeta metadata(DeploymentPlan plan, String name, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(plan.namespace())
        .withLabels(labels)
        .withOwnerReferences(owner(plan))
        .build();
  }

  /** Deleting the StreamingJob deletes the object (garbage collection by owner reference). */
  static OwnerReference owner(DeploymentPlan plan) {
    return new OwnerReferenceBuilder()
        .withApiVersion(StreamingJob.GROUP + "/" + StreamingJob.VERSION)
        .withKind("StreamingJob")
        .withName(plan.name())
        .withUid(plan.uid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
