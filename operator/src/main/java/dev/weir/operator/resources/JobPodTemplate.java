package dev.weir.operator.resources;

import dev.weir.operator.api.PodSpecOverrides;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
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
 * the operator's main container {@value #CONTAINER} on top. Merge rules (docs/operator.md):
 *
 * <ul>
 *   <li>labels and annotations: the user's plus the operator's; on the same key the operator's win;
 *   <li>pod spec fields (nodeSelector, tolerations, affinity, serviceAccountName, extra containers,
 *       initContainers, volumes...): the user's, except the volumes named job-config and tmp;
 *   <li>pod securityContext: the user's, but never root (see {@link #podSecurity});
 *   <li>the user's container named {@value #CONTAINER} contributes env (not the operator's names,
 *       so the storage credentials stay Secret references) and volumeMounts (not on the reserved
 *       volumes or paths); its image, command, args, ports and securityContext are ignored.
 * </ul>
 */
final class JobPodTemplate {
  static final String CONTAINER = "weir";
  static final String CONFIG_DIR = "/etc/weir";
  static final String JOB_FILE = CONFIG_DIR + "/" + JobConfigMap.KEY;
  static final long RUN_AS_USER = 10001L;
  private static final List<String> RESERVED_VOLUMES = List.of("job-config", "tmp");
  private static final List<String> RESERVED_MOUNT_PATHS = List.of(CONFIG_DIR, "/tmp");

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
          .filter(v -> !RESERVED_VOLUMES.contains(v.getName()))
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
    spec.setSecurityContext(podSecurity(spec.getSecurityContext()));
    return new PodTemplateSpecBuilder().withMetadata(podMeta).withSpec(spec).build();
  }

  /**
   * The user's pod securityContext with the operator's rules on top: never root (runAsNonRoot true;
   * runAsUser 0 or unset becomes 10001); fsGroup and the seccomp profile default to 10001 and
   * RuntimeDefault.
   */
  private static PodSecurityContext podSecurity(PodSecurityContext user) {
    PodSecurityContextBuilder b =
        user == null ? new PodSecurityContextBuilder() : new PodSecurityContextBuilder(user);
    b.withRunAsNonRoot(true);
    if (user == null || user.getRunAsUser() == null || user.getRunAsUser() == 0L) {
      b.withRunAsUser(RUN_AS_USER);
    }
    if (user != null && Long.valueOf(0L).equals(user.getRunAsGroup())) {
      b.withRunAsGroup(RUN_AS_USER);
    }
    if (user == null || user.getFsGroup() == null) {
      b.withFsGroup(RUN_AS_USER);
    }
    if (user == null || user.getSeccompProfile() == null) {
      b.withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile();
    }
    return b.build();
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
      userMain.getVolumeMounts().stream()
          .filter(m -> !RESERVED_VOLUMES.contains(m.getName()))
          .filter(m -> !RESERVED_MOUNT_PATHS.contains(trimSlash(m.getMountPath())))
          .forEach(mounts::add);
    }
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(plan.spec().image())
        .withArgs(args)
        .withEnv(env)
        .withPorts(ports)
        .withVolumeMounts(mounts)
        // a container that fails at start leaves its last log lines in the pod's status, where
        // the operator reads why (rollback reasons, the Ready condition)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
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

  private static String trimSlash(String path) {
    return path != null && path.length() > 1 && path.endsWith("/")
        ? path.substring(0, path.length() - 1)
        : path;
  }

  static ContainerPort port(String name, int port) {
    return new ContainerPortBuilder().withName(name).withContainerPort(port).build();
  }
}
