package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/**
 * What the user wants running. Every field's description is what {@code kubectl explain
 * streamingjob.spec} shows; how a change of each field is applied is listed in {@code
 * dev.weir.operator.reconciler.SpecDiff}.
 */
@ValidationRule(
    value =
        "!(has(self.checkpointing) && has(self.checkpointing.incremental) &&"
            + " self.checkpointing.incremental) || (has(self.stateBackend) && self.stateBackend =="
            + " 'rocksdb')",
    message = "spec.checkpointing.incremental needs stateBackend: rocksdb",
    fieldPath = ".checkpointing.incremental")
@ValidationRule(
    value = "self.parallelism <= self.maxParallelism",
    message = "spec.parallelism must be less than or equal to spec.maxParallelism",
    fieldPath = ".parallelism")
public record StreamingJobSpec(
    @Required
        @JsonPropertyDescription(
            "Container image with the Weir runtime (weir-worker.jar at /opt/weir) and the job's"
                + " classes. Changing it restarts the job (upgrade).")
        String image,
    @Required @JsonPropertyDescription("The job to run.") JobReference job,
    @Min(1)
        @Max(32768)
        @Default("1")
        @SpecReplicas
        @JsonPropertyDescription(
            "Number of workers; each runs one subtask of every stage. The scale subresource"
                + " (kubectl scale sj/NAME --replicas=N) sets it. Changing it restarts the job"
                + " and redistributes state by key group.")
        Integer parallelism,
    @Min(1)
        @Max(32768)
        @Default("128")
        @JsonPropertyDescription(
            "Number of key groups: the upper bound of parallelism for the life of the job's"
                + " state. Changing it makes existing state unreadable; keep it fixed.")
        Integer maxParallelism,
    @JsonPropertyDescription("Checkpoint settings.") Checkpointing checkpointing,
    @JsonPropertyDescription("heap or rocksdb (default heap).") StateBackend stateBackend,
    @Required @JsonPropertyDescription("Where checkpoints and savepoints go.") Storage storage,
    @Default("savepoint")
        @JsonPropertyDescription(
            "How state crosses a restart caused by a spec change: savepoint (stop with a"
                + " savepoint, restore it), last-state (restore the newest retained checkpoint;"
                + " also used when a savepoint cannot be taken), stateless (start fresh).")
        UpgradeMode upgradeMode,
    @Default("running")
        @JsonPropertyDescription(
            "running or suspended. Suspending stops the job with a savepoint and removes its"
                + " pods; running again restores that savepoint.")
        JobState state,
    @JsonPropertyDescription("Restart strategy of the coordinator on task failures.")
        RestartStrategy restartStrategy,
    @JsonPropertyDescription("Resources and pod template of the coordinator.")
        PodSpecOverrides coordinator,
    @JsonPropertyDescription("Resources and pod template of the workers.") PodSpecOverrides workers,
    @JsonPropertyDescription(
            "Savepoint to restore when the job is first deployed. Ignored afterwards: later"
                + " restarts use the job's own savepoints and checkpoints.")
        String initialSavepointPath,
    @JsonPropertyDescription(
            "Allow a restore to skip state of operators the job no longer has. Default false.")
        Boolean allowNonRestoredState,
    @JsonPropertyDescription(
            "Change to any new value to take one savepoint of the running job (like the"
                + " weir.dev/savepoint annotation). Does not restart the job.")
        Long savepointTriggerNonce,
    @JsonPropertyDescription(
            "Take a final savepoint (stop-with-savepoint) when the StreamingJob is deleted."
                + " Default false.")
        Boolean savepointOnDeletion,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription(
            "How long an upgrade may take to become Ready before the operator rolls back to the"
                + " last stable spec and its savepoint. Default 5m.")
        String upgradeTimeout) {

  public int parallelismOrDefault() {
    return parallelism == null ? 1 : parallelism;
  }

  public UpgradeMode upgradeModeOrDefault() {
    return upgradeMode == null ? UpgradeMode.SAVEPOINT : upgradeMode;
  }

  public JobState stateOrDefault() {
    return state == null ? JobState.RUNNING : state;
  }
}
