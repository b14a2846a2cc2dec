package dev.weir.operator.reconciler;

import dev.weir.operator.resources.CoordinatorDeployment;
import dev.weir.operator.resources.DeploymentPlan;
import dev.weir.operator.resources.JobConfigMap;
import dev.weir.operator.resources.JobObjectNames;
import dev.weir.operator.resources.JobServices;
import dev.weir.operator.resources.WorkerStatefulSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;

/**
 * Puts a deployment's objects into the cluster with server-side apply (field manager {@value
 * #FIELD_MANAGER}), and takes the pods away again. Applying the same plan twice changes nothing, so
 * a step repeated after an operator restart is harmless.
 */
final class JobWorkloads {
  static final String FIELD_MANAGER = "weir-operator";
  private final KubernetesClient client;

  JobWorkloads(KubernetesClient client) {
    this.client = client;
  }

  void apply(DeploymentPlan plan) {
    for (HasMetadata desired :
        List.of(
            JobConfigMap.desired(plan),
            JobServices.coordinator(plan),
            JobServices.workers(plan),
            CoordinatorDeployment.desired(plan),
            WorkerStatefulSet.desired(plan))) {
      client
          .resource(desired)
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.SERVER_SIDE_APPLY)
                  .withFieldManager(FIELD_MANAGER)
                  .withForce(true)
                  .build());
    }
  }

  /** Deletes the coordinator Deployment and the worker StatefulSet (their pods go with them). */
  void deletePods(String namespace, String name) {
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(JobObjectNames.coordinator(name))
        .delete();
    client
        .apps()
        .statefulSets()
        .inNamespace(namespace)
        .withName(JobObjectNames.workers(name))
        .delete();
  }

  /** True when neither workload nor any pod of the job is left. */
  boolean podsGone(String namespace, String name) {
    return client
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withName(JobObjectNames.coordinator(name))
                .get()
            == null
        && client
                .apps()
                .statefulSets()
                .inNamespace(namespace)
                .withName(JobObjectNames.workers(name))
                .get()
            == null
        && client
            .pods()
            .inNamespace(namespace)
            .withLabel(JobObjectNames.INSTANCE, name)
            .list()
            .getItems()
            .isEmpty();
  }

  /**
   * Deletes every object of the job (deletion of the StreamingJob; also done by owner references).
   */
  void deleteAll(String namespace, String name) {
    deletePods(namespace, name);
    client.services().inNamespace(namespace).withName(JobObjectNames.coordinator(name)).delete();
    client.services().inNamespace(namespace).withName(JobObjectNames.workers(name)).delete();
    client.configMaps().inNamespace(namespace).withName(JobObjectNames.configMap(name)).delete();
  }
}
