package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator observed and what it is doing. Written only by the operator (server-side apply,
 * field manager weir-operator). Besides the observed fields it is the operator's write-ahead log:
 * {@link #upgrade} and {@link #savepointRequest} are recorded before their side effects, so a
 * restarted operator continues where the last one stopped. Credentials never appear here.
 *
 * <p>A plain data holder with public fields: Jackson and the CRD generator read it, the reconciler
 * fills it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StreamingJobStatus {
  @JsonPropertyDescription("metadata.generation the operator last acted on.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Deploying, Running, Upgrading, RollingBack, Suspending, Suspended, Finished, Failed,"
          + " Deleting.")
  public JobPhase phase;

  @JsonPropertyDescription(
      "Ready (job running at the desired spec), Progressing (a transition is under way),"
          + " Degraded (rolled back, failing, or the coordinator unreachable), Savepoint (outcome"
          + " of the latest savepoint).")
  public List<Condition> conditions = new ArrayList<>();

  @StatusReplicas
  @JsonPropertyDescription("Parallelism the coordinator reports the job running at.")
  public Integer parallelism;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the worker pods (for the scale subresource).")
  public String selector;

  @JsonPropertyDescription("Job id of the current deployment (names its storage directory).")
  public String jobId;

  @JsonPropertyDescription(
      "Job state the coordinator reports: CREATED, RUNNING, RESTARTING, FINISHED, FAILED,"
          + " CANCELLED; UNREACHABLE when its API does not answer.")
  public String jobStatus;

  @JsonPropertyDescription("Newest completed checkpoint.")
  public CheckpointInfo lastCheckpoint;

  @JsonPropertyDescription("Newest savepoint that completed.")
  public SavepointInfo lastSavepoint;

  @JsonPropertyDescription(
      "The latest savepoints and savepoint failures, newest first (at most 10).")
  public List<SavepointInfo> savepointHistory = new ArrayList<>();

  @JsonPropertyDescription("The latest error, cleared when the job is Ready again.")
  public String error;

  @JsonPropertyDescription(
      "Savepoint the current job id was first started from, if any; also handed to a last-state"
          + " redeploy in case the job id has no checkpoint yet.")
  public String restoredFrom;

  @JsonPropertyDescription(
      "Savepoint a suspended job resumes from; unset when suspending could not take one (it then"
          + " resumes from its newest checkpoint).")
  public String resumeSavepoint;

  @JsonPropertyDescription("The spec of the current deployment (JSON).")
  public String deployedSpec;

  @JsonPropertyDescription("metadata.generation of the current deployment's spec.")
  public Long deployedGeneration;

  @JsonPropertyDescription("Whether the current deployment runs or is suspended.")
  public JobState deployedState;

  @JsonPropertyDescription("Number of job ids issued; the next fresh job id ends in it plus one.")
  public Integer jobCounter;

  @JsonPropertyDescription("The last spec that became Ready (JSON); rollbacks return to it.")
  public String stableSpec;

  @JsonPropertyDescription("metadata.generation of the stable spec.")
  public Long stableGeneration;

  @JsonPropertyDescription(
      "A generation whose upgrade failed and was rolled back; not retried until the spec"
          + " changes again.")
  public Long rolledBackGeneration;

  @JsonPropertyDescription("The transition in progress (write-ahead record), if any.")
  public UpgradeProgress upgrade;

  @JsonPropertyDescription("A savepoint of the running job in progress (annotation or nonce).")
  public SavepointRequest savepointRequest;

  @JsonPropertyDescription("The weir.dev/savepoint annotation value last handled.")
  public String handledSavepointAnnotation;

  @JsonPropertyDescription("The spec.savepointTriggerNonce value last handled.")
  public Long handledSavepointNonce;
}
