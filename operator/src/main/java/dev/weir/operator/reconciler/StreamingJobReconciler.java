package dev.weir.operator.reconciler;

import dev.weir.operator.api.JobPhase;
import dev.weir.operator.api.JobState;
import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.CoordinatorClients;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.JobObservation;
import dev.weir.operator.resources.JobObjectNames;
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
  private final SavepointStep savepoints;
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
    this.savepoints = new SavepointStep(events, metrics, settings.savepointTimeout());
    this.transitions =
        new Transitions(
            new TransitionPlanner(settings.defaultUpgradeTimeout()),
            savepoints,
            workloads,
            events,
            metrics);
    this.manualSavepoints = new ManualSavepoints(savepoints, events);
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
        transitions.startWanted(r);
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

  /** Polls the final savepoint; true once it has a result (recorded, whatever it is). */
  private boolean finalSavepointDone(JobRound r, SavepointRequest request) {
    SavepointVerdict verdict = savepoints.poll(r.coordinator, request, r.now);
    if (!verdict.settled()) {
      return false;
    }
    r.status.savepointRequest = null;
    savepoints.conclude(r, request, verdict, "final savepoint", null);
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
