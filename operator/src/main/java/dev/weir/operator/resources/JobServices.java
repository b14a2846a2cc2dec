package dev.weir.operator.resources;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** The coordinator's Service (gRPC and HTTP) and the workers' headless Service. */
public final class JobServices {
  private JobServices() {}

  /**
   * The coordinator's address. It publishes the pod before it is Ready: workers register and the
   * operator asks for the job's state as soon as the coordinator listens, instead of after its
   * first passed readiness probe (seconds that every deployment, rescale and restart paid).
   */
  public static Service coordinator(DeploymentPlan plan) {
    return new ServiceBuilder()
        .withMetadata(
            OwnedObjects.metadata(
                plan, JobObjectNames.coordinator(plan.name()), CoordinatorDeployment.COMPONENT))
        .withNewSpec()
        .withPublishNotReadyAddresses(true)
        .withSelector(JobObjectNames.selector(plan.name(), CoordinatorDeployment.COMPONENT))
        .withPorts(
            new ServicePortBuilder()
                .withName("rpc")
                .withPort(JobObjectNames.RPC_PORT)
                .withTargetPort(new IntOrString("rpc"))
                .build(),
            new ServicePortBuilder()
                .withName("http")
                .withPort(JobObjectNames.HTTP_PORT)
                .withTargetPort(new IntOrString("http"))
                .build())
        .endSpec()
        .build();
  }

  /** Stable DNS names for the worker pods; workers advertise their pod IP themselves. */
  public static Service workers(DeploymentPlan plan) {
    return new ServiceBuilder()
        .withMetadata(
            OwnedObjects.metadata(
                plan, JobObjectNames.workers(plan.name()), WorkerStatefulSet.COMPONENT))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(JobObjectNames.selector(plan.name(), WorkerStatefulSet.COMPONENT))
        .endSpec()
        .build();
  }
}
