package dev.weir.operator.reconciler;

import dev.weir.operator.resources.JobObjectNames;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What the pods of the running job id say about its health, as the pod watch delivers them: a pod
 * being deleted, a container that died (and is being restarted by the kubelet), a pod not Ready.
 * Pure: a function of the pods the informer holds.
 *
 * <p>It only ever reports a problem of a pod that exists: a job whose pods were never seen (a
 * cluster without nodes, the moment after a deployment) is judged by its coordinator alone.
 */
record PodHealth(String reason, String message, int restarts) {

  static final String POD_NOT_READY = "PodNotReady";
  static final String POD_TERMINATING = "PodTerminating";
  static final String CONTAINER_RESTARTED = "ContainerRestarted";

  /**
   * The first problem among the pods of {@code jobId} (coordinator first, then workers by name), or
   * null when each of them is Ready.
   */
  static PodHealth of(Collection<Pod> pods, String jobId) {
    if (jobId == null) {
      return null;
    }
    List<Pod> ofJob =
        pods.stream()
            .filter(p -> p.getMetadata().getLabels() != null)
            .filter(p -> jobId.equals(p.getMetadata().getLabels().get(JobObjectNames.JOB_ID)))
            .sorted(
                Comparator.comparing(
                        (Pod p) -> !"coordinator".equals(component(p))) // coordinator first
                    .thenComparing(p -> p.getMetadata().getName()))
            .toList();
    for (Pod pod : ofJob) {
      PodHealth problem = of(pod);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static PodHealth of(Pod pod) {
    String name = component(pod) + " pod " + pod.getMetadata().getName();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return new PodHealth(POD_TERMINATING, name + " is being deleted", 0);
    }
    if (pod.getStatus() == null) {
      return null;
    }
    List<ContainerStatus> containers =
        pod.getStatus().getContainerStatuses() == null
            ? List.of()
            : pod.getStatus().getContainerStatuses();
    for (ContainerStatus c : containers) {
      if (Boolean.TRUE.equals(c.getReady())) {
        continue;
      }
      ContainerStateTerminated last =
          c.getLastState() == null ? null : c.getLastState().getTerminated();
      ContainerStateTerminated now = c.getState() == null ? null : c.getState().getTerminated();
      ContainerStateTerminated died = now != null ? now : last;
      if (died != null && (c.getRestartCount() != null && c.getRestartCount() > 0 || now != null)) {
        return new PodHealth(
            CONTAINER_RESTARTED,
            name
                + ": container "
                + c.getName()
                + " terminated ("
                + Objects.requireNonNullElse(died.getReason(), "no reason")
                + ", exit code "
                + died.getExitCode()
                + (died.getSignal() == null ? "" : ", signal " + died.getSignal())
                + "); restarts: "
                + c.getRestartCount()
                + lastWords(died),
            c.getRestartCount() == null ? 0 : c.getRestartCount());
      }
    }
    if (!ready(pod) && "Running".equals(pod.getStatus().getPhase())) {
      return new PodHealth(POD_NOT_READY, name + " is not Ready", 0);
    }
    return null;
  }

  /**
   * A container that died again after its restart: it fails at start (a bad spec, a missing class),
   * and waiting longer will not make it Ready.
   */
  boolean crashLooping() {
    return CONTAINER_RESTARTED.equals(reason) && restarts >= 2;
  }

  /** The end of what the container printed (its termination message: the pods log on error). */
  private static String lastWords(ContainerStateTerminated died) {
    String text = died.getMessage();
    if (text == null || text.isBlank()) {
      return "";
    }
    text = text.strip();
    int max = 400;
    return ": " + (text.length() > max ? "…" + text.substring(text.length() - max) : text);
  }

  private static boolean ready(Pod pod) {
    List<PodCondition> conditions = pod.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String component(Pod pod) {
    return Objects.requireNonNullElse(
        pod.getMetadata().getLabels().get(JobObjectNames.COMPONENT), "job");
  }
}
