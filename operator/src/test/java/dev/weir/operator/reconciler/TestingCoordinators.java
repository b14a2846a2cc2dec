package dev.weir.operator.reconciler;

import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.CoordinatorClients;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.JobObservation;
import dev.weir.operator.coordinator.SavepointOutcome;
import dev.weir.operator.resources.JobObjectNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fake coordinators (in the style of the Flink operator's TestingFlinkService). There are no pods
 * in the test bed, so a job's "coordinator" is simulated from the objects the operator applied: it
 * answers when the coordinator Deployment exists, runs the job id and parallelism that Deployment
 * and the worker StatefulSet describe, and reports a scripted state. Savepoints complete at once
 * unless held; every call is recorded in order. Thread-safe: the operator calls it from its
 * reconciler threads, the test reads and scripts it.
 */
final class TestingCoordinators implements CoordinatorClients {
  private final KubernetesClient client;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();

  TestingCoordinators(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public CoordinatorClient forJob(String namespace, String name) {
    return job(namespace, name);
  }

  Job job(String namespace, String name) {
    return jobs.computeIfAbsent(namespace + "/" + name, k -> new Job(namespace, name));
  }

  /** One StreamingJob's simulated coordinator. */
  final class Job implements CoordinatorClient {
    private final String namespace;
    private final String name;
    private final List<String> calls = new ArrayList<>();
    private final Map<String, SavepointOutcome> savepoints = new LinkedHashMap<>();
    private final Set<String> stoppedJobIds = ConcurrentHashMap.newKeySet();
    private final Set<String> stopRequests = ConcurrentHashMap.newKeySet();
    private String status = "RUNNING";
    private String failImage;
    private String finishImage;
    private boolean holdSavepoints;
    private String failSavepoints;
    private long checkpointId;

    Job(String namespace, String name) {
      this.namespace = namespace;
      this.name = name;
    }

    /** The state reported for a running deployment (RUNNING, RESTARTING, FAILED...). */
    synchronized Job reportStatus(String status) {
      this.status = status;
      return this;
    }

    /** Deployments with this image report FAILED (a bad upgrade). */
    synchronized Job failImage(String image) {
      this.failImage = image;
      return this;
    }

    /** Deployments with this image report FINISHED at once (a bounded job that ran to its end). */
    synchronized Job finishImage(String image) {
      this.finishImage = image;
      return this;
    }

    /** Savepoints stay IN_PROGRESS until {@link #completeHeldSavepoints()}. */
    synchronized Job holdSavepoints() {
      this.holdSavepoints = true;
      return this;
    }

    /** Savepoints fail with this message. */
    synchronized Job failSavepoints(String failure) {
      this.failSavepoints = failure;
      return this;
    }

    synchronized void completeHeldSavepoints() {
      holdSavepoints = false;
      savepoints.replaceAll(
          (id, op) -> op.state() == SavepointOutcome.State.IN_PROGRESS ? completed(id, op) : op);
    }

    synchronized List<String> calls() {
      return List.copyOf(calls);
    }

    /** The savepoint operations started, in order (request ids). */
    synchronized List<String> savepointOperations() {
      return List.copyOf(savepoints.keySet());
    }

    synchronized SavepointOutcome operation(String requestId) {
      return savepoints.get(requestId);
    }

    private Deployment deployment() {
      return client
          .apps()
          .deployments()
          .inNamespace(namespace)
          .withName(JobObjectNames.coordinator(name))
          .get();
    }

    @Override
    public synchronized JobObservation jobStatus() {
      Deployment d = deployment();
      if (d == null) {
        throw new CoordinatorUnavailableException("no coordinator pod for " + name, null);
      }
      String jobId = d.getSpec().getTemplate().getMetadata().getLabels().get(JobObjectNames.JOB_ID);
      String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
      StatefulSet workers =
          client
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .withName(JobObjectNames.workers(name))
              .get();
      int parallelism = workers == null ? 0 : workers.getSpec().getReplicas();
      String state = status;
      String failure = null;
      if (stoppedJobIds.contains(jobId) || image.equals(finishImage)) {
        state = "FINISHED";
      } else if (image.equals(failImage)) {
        state = "FAILED";
        failure = "java.lang.ClassNotFoundException: bad image " + image;
      }
      checkpointId++;
      return new JobObservation(
          jobId,
          state,
          parallelism,
          new JobObservation.CheckpointSummary(
              checkpointId,
              System.currentTimeMillis(),
              12,
              4096,
              "s3://b/" + jobId + "/chk-" + checkpointId),
          failure,
          null);
    }

    @Override
    public synchronized SavepointOutcome triggerSavepoint(String requestId, boolean stop) {
      calls.add("trigger " + requestId + " stop=" + stop);
      SavepointOutcome existing = savepoints.get(requestId);
      if (existing != null) {
        return existing;
      }
      Deployment d = deployment();
      if (d == null) {
        throw new CoordinatorUnavailableException("no coordinator pod for " + name, null);
      }
      SavepointOutcome op;
      if (failSavepoints != null) {
        op =
            new SavepointOutcome(requestId, SavepointOutcome.State.FAILED, null, 0, failSavepoints);
      } else {
        if (stop) {
          stopRequests.add(requestId);
        }
        op = new SavepointOutcome(requestId, SavepointOutcome.State.IN_PROGRESS, null, 0, null);
        if (!holdSavepoints) {
          op = completed(requestId, op);
        }
      }
      savepoints.put(requestId, op);
      return op;
    }

    private SavepointOutcome completed(String requestId, SavepointOutcome op) {
      Deployment d = deployment();
      String jobId =
          d == null
              ? "gone"
              : d.getSpec().getTemplate().getMetadata().getLabels().get(JobObjectNames.JOB_ID);
      if (stopRequests.contains(requestId)) {
        stoppedJobIds.add(jobId);
      }
      return new SavepointOutcome(
          requestId,
          SavepointOutcome.State.COMPLETED,
          "s3://b/" + jobId + "/savepoints/sp-" + (savepoints.size() + 1),
          7,
          null);
    }

    @Override
    public synchronized SavepointOutcome savepoint(String requestId) {
      calls.add("get " + requestId);
      SavepointOutcome op = savepoints.get(requestId);
      return op == null ? SavepointOutcome.unknown(requestId) : op;
    }

    @Override
    public synchronized void disposeSavepoint(String path) {
      calls.add("dispose " + path);
    }
  }
}
