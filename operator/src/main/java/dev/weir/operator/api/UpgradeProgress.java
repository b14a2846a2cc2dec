package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The write-ahead record of a transition in progress. The operator persists each field before
 * acting on it, so an operator restarted at any point continues from here: it never loses the
 * savepoint and never deploys a job id twice.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpgradeProgress(
    @JsonPropertyDescription("Why this transition runs.") UpgradeKind kind,
    @JsonPropertyDescription("The step in progress.") UpgradeStep step,
    @JsonPropertyDescription("metadata.generation of the spec being deployed.")
        Long targetGeneration,
    @JsonPropertyDescription("The spec being deployed (JSON).") String targetSpec,
    @JsonPropertyDescription("running or suspended at the end.") JobState targetState,
    @JsonPropertyDescription("Where the new deployment takes its state from.") RestoreMode restore,
    @JsonPropertyDescription("The stop-with-savepoint in flight, if any.")
        SavepointRequest savepoint,
    @JsonPropertyDescription("Path of the savepoint taken for this transition.")
        String savepointPath,
    @JsonPropertyDescription("Job id of the new deployment.") String jobId,
    @JsonPropertyDescription("When the transition started (RFC 3339).") String startedAt,
    @JsonPropertyDescription("When the current step started (RFC 3339).") String stepStartedAt,
    @JsonPropertyDescription("Why state is restored the way it is (e.g. savepoint fallback).")
        String note) {

  public UpgradeProgress withStep(UpgradeStep next, String now) {
    return new UpgradeProgress(
        kind,
        next,
        targetGeneration,
        targetSpec,
        targetState,
        restore,
        savepoint,
        savepointPath,
        jobId,
        startedAt,
        now,
        note);
  }

  public UpgradeProgress withSavepoint(SavepointRequest request) {
    return new UpgradeProgress(
        kind,
        step,
        targetGeneration,
        targetSpec,
        targetState,
        restore,
        request,
        savepointPath,
        jobId,
        startedAt,
        stepStartedAt,
        note);
  }

  public UpgradeProgress withRestore(RestoreMode mode, String path, String reason) {
    return new UpgradeProgress(
        kind,
        step,
        targetGeneration,
        targetSpec,
        targetState,
        mode,
        savepoint,
        path,
        jobId,
        startedAt,
        stepStartedAt,
        reason == null ? note : reason);
  }

  public UpgradeProgress withJobId(String id) {
    return new UpgradeProgress(
        kind,
        step,
        targetGeneration,
        targetSpec,
        targetState,
        restore,
        savepoint,
        savepointPath,
        id,
        startedAt,
        stepStartedAt,
        note);
  }
}
