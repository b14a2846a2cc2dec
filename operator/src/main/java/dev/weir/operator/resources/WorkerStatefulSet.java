package dev.weir.operator.resources;

import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;

/**
 * The workers: a StatefulSet of {@code parallelism} pods; pod i runs subtask i of every stage and
 * learns i from the {@code apps.kubernetes.io/pod-index} label. Pods start in parallel.
 */
public final class WorkerStatefulSet {
  public static final String COMPONENT = "worker";

  private WorkerStatefulSet() {}

  public static StatefulSet desired(DeploymentPlan plan) {
    PodTemplateSpec template =
        JobPodTemplate.build(
            plan,
            COMPONENT,
            plan.spec().workers(),
            List.of(
                "worker",
                JobPodTemplate.JOB_FILE,
                "--coordinator",
                JobObjectNames.coordinatorAddress(plan.name(), plan.namespace()),
                "--job-id",
                plan.jobId()),
            List.of(
                new EnvVarBuilder()
                    .withName("WEIR_WORKER_INDEX")
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath("metadata.labels['apps.kubernetes.io/pod-index']")
                    .endFieldRef()
                    .endValueFrom()
                    .build()),
            List.of());
    return new StatefulSetBuilder()
        .withMetadata(OwnedObjects.metadata(plan, JobObjectNames.workers(plan.name()), COMPONENT))
        .withNewSpec()
        .withReplicas(plan.spec().parallelismOrDefault())
        .withServiceName(JobObjectNames.workers(plan.name()))
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .withMatchLabels(JobObjectNames.selector(plan.name(), COMPONENT))
        .endSelector()
        .withTemplate(template)
        .endSpec()
        .build();
  }
}
