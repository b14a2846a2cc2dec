package dev.weir.operator.reconciler;

import dev.weir.operator.api.JobPhase;
import dev.weir.operator.api.JobState;
import dev.weir.operator.api.SavepointInfo;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobSpec;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.api.UpgradeKind;
import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.CoordinatorClients;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.JobObservation;
import dev.weir.operator.coordinator.SavepointOutcome;
import dev.weir.operator.resources.JobObjectNames;
import dev.weir.operator.resources.SpecCodec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a StreamingJob: observe the coordinator and the job's pods → continue a transition in
 * progress, or start one when the spec or state asks for it → take requested savepoints → derive
 * phase and conditions → record status. Runs on every change of the resource, annotations included
 * (generation-aware processing is off, so an annotation, which does not bump metadata.generation,
 * still triggers a reconciliation), on every change of one of its pods (a watch: a killed container
 * or a deleted pod shows in status within a second), and again after {@link
 * OperatorSettings#pollInterval()} — or {@link OperatorSettings#activePollInterval()} while a
 * transition or savepoint is under way or the job is not Ready, so each step follows the previous
 * one without waiting a whole poll.
 *
 * <p>Each reconciliation starts from the resource as stored now (not the informer's copy), because
 * status is the write-ahead log of a transition and must never be read stale. JOSDK runs one
 * reconciliation per resource at a time.
 */
@ControllerConfiguration(name = "streamingjob", generationAwareEventProcessing = false)
public final class StreamingJobReconciler
    implements Reconciler<StreamingJob>, Cleaner<StreamingJob> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingJobReconciler.class);

  private final KubernetesClient client;
  private final CoordinatorClients coordinators;
  private final OperatorSettings settings;
  private final Clock clock;
  private final StatusRecorder recorder;
  private final JobWorkloads workloads;
  private final JobEvents events;
  private final Transitions transitions;
  private final ManualSavepoints manualSavepoints;
  private final OperatorMetrics metrics;
  private final SimpleInboundEventSource<StreamingJob> coordinatorEvents =
      new SimpleInboundEventSource<>("coordinators");
  private final CoordinatorWatches watches = new CoordinatorWatches(coordinatorEvents);

  public StreamingJobReconciler(
      KubernetesClient client,
      CoordinatorClients coordinators,
      OperatorSettings settings,
      OperatorMetrics metrics,
      Clock clock) {
    this.client = client;
    this.coordinators = coordinators;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.recorder = new StatusRecorder(client);
    this.workloads = new JobWorkloads(client);
    this.events = new JobEvents(client, clock);
    this.transitions = new Transitions(workloads, events, settings, metrics);
    this.manualSavepoints = new ManualSavepoints(events, settings, metrics);
  }

  /**
   * The job's pods, watched, and the coordinators' streams of job-state changes, so that a pod's or
   * the job's change reconciles its StreamingJob at once.
   */
  @Override
  public List<EventSource<?, StreamingJob>> prepareEventSources(
      EventSourceContext<StreamingJob> context) {
    InformerEventSourceConfiguration<Pod> pods =
        InformerEventSourceConfiguration.from(Pod.class, StreamingJob.class)
            .withName("pods")
            .withLabelSelector("app.kubernetes.io/managed-by=weir-operator")
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(
                pod -> {
                  String job =
                      pod.getMetadata().getLabels() == null
                          ? null
                          : pod.getMetadata().getLabels().get(JobObjectNames.INSTANCE);
                  return job == null
                      ? Set.of()
                      : Set.of(new ResourceID(job, pod.getMetadata().getNamespace()));
                })
            .build();
    return List.of(new InformerEventSource<>(pods, context), coordinatorEvents);
  }

  @Override
  public UpdateControl<StreamingJob> reconcile(StreamingJob cached, Context<StreamingJob> context) {
    StreamingJob job = fresh(cached);
    if (job == null || job.isMarkedForDeletion()) {
      return UpdateControl.noUpdate();
    }
    StreamingJobStatus recorded =
        job.getStatus() == null ? new StreamingJobStatus() : job.getStatus();
    JobRound r = round(job, StatusRecorder.copy(recorded));
    Condition readyBefore = Conditions.get(recorded.conditions, Conditions.READY);
    String outcome = "ok";
    try {
      r.pods = PodHealth.of(context.getSecondaryResources(Pod.class), recorded.jobId);
      observe(r);
      if (r.status.upgrade != null) {
        transitions.advance(r);
      } else if (r.status.savepointRequest == null) {
        decide(r);
      }
      if (r.status.upgrade == null) {
        manualSavepoints.handle(r);
      }
    } catch (KubernetesClientException e) {
      LOG.warn("[{}/{}] Kubernetes API call failed: {}", r.namespace(), r.name(), e.getMessage());
      r.status.error = "Kubernetes API call failed: " + e.getMessage();
      outcome = "error";
    }
    StatusView.update(r);
    StreamingJobStatus stored =
        r.job.getStatus() == null ? new StreamingJobStatus() : r.job.getStatus();
    if (!StatusRecorder.fingerprint(r.status).equals(StatusRecorder.fingerprint(stored))) {
      r.record();
    }
    reportReadyChange(r, readyBefore);
    metrics.reconciliation(outcome);
    return UpdateControl.<StreamingJob>noUpdate().rescheduleAfter(nextPoll(r));
  }

  /**
   * A running job that stops being Ready without a transition (a pod lost, the job restarting, the
   * coordinator gone) becomes a Warning event; becoming Ready again a Normal one.
   */
  private void reportReadyChange(JobRound r, Condition before) {
    Condition after = Conditions.get(r.status.conditions, Conditions.READY);
    if (after == null || r.status.upgrade != null || r.status.deployedState != JobState.RUNNING) {
      return;
    }
    boolean wasReady = before != null && "True".equals(before.getStatus());
    boolean ready = "True".equals(after.getStatus());
    if (wasReady && !ready) {
      events.warning(r.job, after.getReason(), after.getMessage());
    } else if (!wasReady
        && ready
        && before != null
        && !"Transition".equals(before.getReason())
        && !"JobStarting".equals(before.getReason())) {
      events.normal(r.job, "JobRecovered", after.getMessage());
    }
  }

  /** Soon while something is under way or the job is not Ready; otherwise the regular poll. */
  private Duration nextPoll(JobRound r) {
    StreamingJobStatus s = r.status;
    Condition ready = Conditions.get(s.conditions, Conditions.READY);
    boolean settled =
        s.upgrade == null
            && s.savepointRequest == null
            && (s.deployedState != JobState.RUNNING
                || (ready != null && "True".equals(ready.getStatus()))
                || s.phase == JobPhase.Finished
                || s.phase == JobPhase.Failed);
    return settled ? settings.pollInterval() : settings.activePollInterval();
  }

  /** Decides whether the spec or state asks for a transition. */
  private void decide(JobRound r) {
    StreamingJobStatus s = r.status;
    StreamingJobSpec spec = r.job.getSpec();
    JobState wanted = spec.stateOrDefault();
    String desired = SpecCodec.toJson(spec);
    if (s.deployedState == null) {
      if (wanted == JobState.RUNNING) {
        transitions.start(
            r, UpgradeKind.DEPLOY, desired, r.generation(), JobState.RUNNING, "first deployment");
      }
      return;
    }
    if (s.deployedState == JobState.RUNNING && wanted == JobState.SUSPENDED) {
      transitions.start(
          r,
          UpgradeKind.SUSPEND,
          s.deployedSpec,
          s.deployedGeneration,
          JobState.SUSPENDED,
          "state: suspended");
    } else if (s.deployedState == JobState.SUSPENDED && wanted == JobState.RUNNING) {
      transitions.start(
          r, UpgradeKind.RESUME, desired, r.generation(), JobState.RUNNING, "state: running");
    } else if (s.deployedState == JobState.RUNNING) {
      SpecDiff diff = SpecDiff.between(s.deployedSpec, desired);
      if (diff.needsRestart() && !Objects.equals(s.rolledBackGeneration, r.generation())) {
        transitions.start(
            r,
            UpgradeKind.UPGRADE,
            desired,
            r.generation(),
            JobState.RUNNING,
            "spec changed: "
                + String.join(", ", diff.restartFields())
                + " (upgradeMode "
                + spec.upgradeModeOrDefault().name().toLowerCase()
                + ")");
      }
    }
  }

  private void observe(JobRound r) {
    StreamingJobStatus s = r.status;
    boolean deployed =
        s.jobId != null && (s.deployedState == JobState.RUNNING || s.upgrade != null);
    ResourceID id = ResourceID.fromResource(r.job);
    if (!deployed) {
      watches.forget(id);
      return;
    }
    watches.watch(id, s.jobId, r.coordinator);
    try {
      JobObservation o = r.coordinator.jobStatus();
      String expected = s.jobId;
      if (o.jobId() != null && !o.jobId().isEmpty() && !o.jobId().equals(expected)) {
        r.unobserved = "coordinator reports job " + o.jobId() + ", expected " + expected;
      } else {
        r.observation = o;
      }
    } catch (CoordinatorUnavailableException e) {
      r.unobserved = "coordinator unreachable: " + e.getMessage();
    }
    StatusView.observe(r);
  }

  @Override
  public DeleteControl cleanup(StreamingJob cached, Context<StreamingJob> context) {
    StreamingJob job = fresh(cached);
    if (job == null) {
      return DeleteControl.defaultDelete();
    }
    StreamingJobStatus recorded =
        job.getStatus() == null ? new StreamingJobStatus() : job.getStatus();
    JobRound r = round(job, StatusRecorder.copy(recorded));
    StreamingJobStatus s = r.status;
    if (Boolean.TRUE.equals(job.getSpec().savepointOnDeletion())
        && s.deployedState == JobState.RUNNING
        && s.jobId != null) {
      SavepointRequest request =
          s.savepointRequest != null && s.savepointRequest.trigger() == SavepointTrigger.DELETION
              ? s.savepointRequest
              : null;
      if (request == null) {
        observe(r);
        if (r.jobRunning()) {
          request =
              new SavepointRequest(
                  s.jobId + "-deletion", SavepointTrigger.DELETION, null, true, r.now());
          s.savepointRequest = request;
          s.phase = JobPhase.Deleting;
          r.record();
        } else {
          events.warning(
              job,
              "FinalSavepointSkipped",
              "no final savepoint: the job is " + r.describeJobState());
        }
      }
      if (request != null && !finalSavepointDone(r, request)) {
        return DeleteControl.noFinalizerRemoval()
            .rescheduleAfter(settings.pollInterval().toMillis());
      }
    }
    watches.forget(ResourceID.fromResource(job));
    workloads.deleteAll(r.namespace(), r.name());
    events.normal(job, "Deleted", "coordinator, workers, services and config deleted");
    return DeleteControl.defaultDelete();
  }

  private boolean finalSavepointDone(JobRound r, SavepointRequest request) {
    SavepointOutcome outcome = null;
    try {
      outcome = r.coordinator.savepoint(request.requestId());
      if (outcome.state() == SavepointOutcome.State.UNKNOWN) {
        outcome = r.coordinator.triggerSavepoint(request.requestId(), true);
        metrics.savepointTriggered(request.trigger());
      }
    } catch (CoordinatorUnavailableException e) {
      LOG.info("[{}/{}] final savepoint: {}", r.namespace(), r.name(), e.getMessage());
    }
    String failure;
    if (outcome != null && outcome.state() == SavepointOutcome.State.COMPLETED) {
      failure = null;
    } else if (outcome != null && outcome.state() == SavepointOutcome.State.FAILED) {
      failure = outcome.failure();
    } else if (r.olderThan(request.startedAt(), settings.savepointTimeout())) {
      failure = "no result within " + settings.savepointTimeout();
    } else {
      return false;
    }
    r.remember(
        new SavepointInfo(
            failure == null ? outcome.path() : null,
            r.now(),
            SavepointTrigger.DELETION,
            null,
            r.status.jobId,
            failure));
    r.status.savepointRequest = null;
    r.record();
    metrics.savepoint(SavepointTrigger.DELETION, failure == null);
    if (failure == null) {
      events.normal(r.job, "SavepointCompleted", "final savepoint: " + outcome.path());
    } else {
      events.warning(r.job, "SavepointFailed", "final savepoint: " + failure);
    }
    return true;
  }

  private JobRound round(StreamingJob job, StreamingJobStatus status) {
    CoordinatorClient coordinator =
        coordinators.forJob(job.getMetadata().getNamespace(), job.getMetadata().getName());
    return new JobRound(job, status, clock.instant(), coordinator, recorder);
  }

  private StreamingJob fresh(StreamingJob cached) {
    return client
        .resources(StreamingJob.class)
        .inNamespace(cached.getMetadata().getNamespace())
        .withName(cached.getMetadata().getName())
        .get();
  }
}
