package dev.weir.operator.resources;

import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;

/**
 * The coordinator: a Deployment of one replica with the Recreate strategy, so an old coordinator is
 * gone before a new one starts with the same job id.
 */
public final class CoordinatorDeployment {
  public static final String COMPONENT = "coordinator";

  private CoordinatorDeployment() {}

  public static Deployment desired(DeploymentPlan plan) {
    PodTemplateSpec template =
        JobPodTemplate.build(
            plan,
            COMPONENT,
            plan.spec().coordinator(),
            List.of(
                "coordinator",
                JobPodTemplate.JOB_FILE,
                "--job-id",
                plan.jobId(),
                "--port",
                String.valueOf(JobObjectNames.RPC_PORT),
                "--http-port",
                String.valueOf(JobObjectNames.HTTP_PORT),
                // stay up after the job ended (stopped with a savepoint, finished, failed): an
                // exiting container would be restarted and with it the job
                "--linger"),
            List.of(),
            List.of(
                JobPodTemplate.port("rpc", JobObjectNames.RPC_PORT),
                JobPodTemplate.port("http", JobObjectNames.HTTP_PORT)));
    template
        .getSpec()
        .getContainers()
        .get(0)
        .setReadinessProbe(
            new ProbeBuilder()
                .withHttpGet(
                    new HTTPGetActionBuilder()
                        .withPath("/healthz")
                        .withPort(new IntOrString("http"))
                        .build())
                .withPeriodSeconds(1)
                .build());
    return new DeploymentBuilder()
        .withMetadata(
            OwnedObjects.metadata(plan, JobObjectNames.coordinator(plan.name()), COMPONENT))
        .withNewSpec()
        .withReplicas(1)
        .withNewStrategy()
        .withType("Recreate")
        .endStrategy()
        .withNewSelector()
        .withMatchLabels(JobObjectNames.selector(plan.name(), COMPONENT))
        .endSelector()
        .withTemplate(template)
        .endSpec()
        .build();
  }
}
