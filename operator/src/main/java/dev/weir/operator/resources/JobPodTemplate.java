package dev.weir.operator.resources;

import dev.weir.operator.api.PodSpecOverrides;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod template of a role (coordinator or worker): the user's {@code podTemplate} as the base,
 * the operator's main container {@value #CONTAINER} on top. The user's container of that name
 * contributes env and volumeMounts; everything that makes the runtime work (image, args, ports, the
 * job config volume, non-root security settings) is the operator's.
 */
final class JobPodTemplate {
  static final String CONTAINER = "weir";
  static final String CONFIG_DIR = "/etc/weir";
  static final String JOB_FILE = CONFIG_DIR + "/" + JobConfigMap.KEY;
  static final long RUN_AS_USER = 10001L;

  private JobPodTemplate() {}

  static PodTemplateSpec build(
      DeploymentPlan plan,
      String component,
      PodSpecOverrides overrides,
      List<String> args,
      List<EnvVar> roleEnv,
      List<ContainerPort> ports) {
    PodTemplateSpec user =
        overrides == null || overrides.podTemplate() == null
            ? new PodTemplateSpec()
            : new PodTemplateSpecBuilder(overrides.podTemplate()).build();
    ObjectMeta meta = user.getMetadata() == null ? new ObjectMeta() : user.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>();
    if (meta.getLabels() != null) {
      labels.putAll(meta.getLabels());
    }
    labels.putAll(JobObjectNames.common(plan.name(), component));
    labels.put(JobObjectNames.JOB_ID, plan.jobId());
    Map<String, String> annotations = new LinkedHashMap<>();
    if (meta.getAnnotations() != null) {
      annotations.putAll(meta.getAnnotations());
    }
    annotations.put("weir.dev/config-hash", JobConfigMap.hash(plan));
    ObjectMeta podMeta = new ObjectMeta();
    podMeta.setLabels(labels);
    podMeta.setAnnotations(annotations);

    PodSpec spec = user.getSpec() == null ? new PodSpec() : user.getSpec();
    Container userMain = null;
    List<Container> containers = new ArrayList<>();
    if (spec.getContainers() != null) {
      for (Container c : spec.getContainers()) {
        if (CONTAINER.equals(c.getName())) {
          userMain = c;
        } else {
          containers.add(c);
        }
      }
    }
    containers.add(0, mainContainer(plan, overrides, args, roleEnv, ports, userMain));
    spec.setContainers(containers);

    List<Volume> volumes = new ArrayList<>();
    if (spec.getVolumes() != null) {
      spec.getVolumes().stream()
          .filter(v -> !v.getName().equals("job-config") && !v.getName().equals("tmp"))
          .forEach(volumes::add);
    }
    volumes.add(
        new VolumeBuilder()
            .withName("job-config")
            .withNewConfigMap()
            .withName(JobObjectNames.configMap(plan.name()))
            .endConfigMap()
            .build());
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    spec.setVolumes(volumes);
    if (spec.getSecurityContext() == null) {
      spec.setSecurityContext(
          new PodSecurityContextBuilder()
              .withRunAsNonRoot(true)
              .withRunAsUser(RUN_AS_USER)
              .withFsGroup(RUN_AS_USER)
              .withNewSeccompProfile()
              .withType("RuntimeDefault")
              .endSeccompProfile()
              .build());
    }
    return new PodTemplateSpecBuilder().withMetadata(podMeta).withSpec(spec).build();
  }

  private static Container mainContainer(
      DeploymentPlan plan,
      PodSpecOverrides overrides,
      List<String> args,
      List<EnvVar> roleEnv,
      List<ContainerPort> ports,
      Container userMain) {
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("WEIR_JOB_ID").withValue(plan.jobId()).build());
    env.add(
        new EnvVarBuilder()
            .withName("POD_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.podIP")
            .endFieldRef()
            .endValueFrom()
            .build());
    env.addAll(roleEnv);
    env.addAll(credentials(plan));
    List<String> operatorEnv = env.stream().map(EnvVar::getName).toList();
    if (userMain != null && userMain.getEnv() != null) {
      userMain.getEnv().stream().filter(e -> !operatorEnv.contains(e.getName())).forEach(env::add);
    }
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(
        new VolumeMountBuilder()
            .withName("job-config")
            .withMountPath(CONFIG_DIR)
            .withReadOnly(true)
            .build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    if (userMain != null && userMain.getVolumeMounts() != null) {
      mounts.addAll(userMain.getVolumeMounts());
    }
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(plan.spec().image())
        .withArgs(args)
        .withEnv(env)
        .withPorts(ports)
        .withVolumeMounts(mounts)
        .withResources(overrides == null ? null : overrides.resources())
        .withSecurityContext(
            new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(RUN_AS_USER)
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .build())
        .build();
  }

  /** The storage credentials, only ever as references to the user's Secret. */
  private static List<EnvVar> credentials(DeploymentPlan plan) {
    if (plan.spec().storage() == null || plan.spec().storage().credentialsSecret() == null) {
      return List.of();
    }
    String secret = plan.spec().storage().credentialsSecret();
    return List.of(
        secretEnv("WEIR_S3_ACCESS_KEY", secret, "accessKey"),
        secretEnv("WEIR_S3_SECRET_KEY", secret, "secretKey"));
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  static ContainerPort port(String name, int port) {
    return new ContainerPortBuilder().withName(name).withContainerPort(port).build();
  }
}
