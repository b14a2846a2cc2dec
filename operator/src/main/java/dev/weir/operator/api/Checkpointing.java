package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** How and how often the job takes checkpoints. Unset fields take the runtime's defaults. */
@ValidationRule(
    value =
        "!(has(self.unaligned) && self.unaligned) || !has(self.mode) || self.mode == 'EXACTLY_ONCE'",
    message = "spec.checkpointing.unaligned needs mode EXACTLY_ONCE")
@ValidationRule(
    value = "!has(self.alignedCheckpointTimeout) || (has(self.unaligned) && self.unaligned)",
    message = "spec.checkpointing.alignedCheckpointTimeout needs unaligned: true")
public record Checkpointing(
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription(
            "Time between two checkpoints, e.g. 500ms, 10s, 5m, 1h; 0 disables periodic"
                + " checkpoints. Default 10s.")
        String interval,
    @JsonPropertyDescription(
            "EXACTLY_ONCE (barriers aligned) or AT_LEAST_ONCE (barriers tracked, never"
                + " blocking). Default EXACTLY_ONCE.")
        CheckpointingMode mode,
    @JsonPropertyDescription(
            "Unaligned checkpoints: barriers overtake in-flight buffers, which become part of the"
                + " checkpoint, so checkpoints complete under backpressure. EXACTLY_ONCE only."
                + " Savepoints and final checkpoints stay aligned. A checkpoint with in-flight data"
                + " restores at the same parallelism only. Default false.")
        Boolean unaligned,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription(
            "With unaligned: checkpoints start aligned and switch to unaligned once a task has"
                + " waited this long for its barriers, e.g. 200ms; 0 or unset: unaligned at once.")
        String alignedCheckpointTimeout,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription(
            "A checkpoint not complete after this long is aborted, e.g. 1m. Default 10m.")
        String timeout,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription(
            "Least time between the end of one checkpoint and the start of the next. Default 0.")
        String minPause,
    @Min(1) @JsonPropertyDescription("Most checkpoints in flight at once (>= 1). Default 1.")
        Integer maxConcurrent,
    @Min(0)
        @JsonPropertyDescription(
            "Consecutive failed checkpoints tolerated before the job fails over (>= 0). Default"
                + " 0.")
        Integer tolerableFailures,
    @Min(1)
        @JsonPropertyDescription(
            "Completed checkpoints kept in storage (>= 1); last-state upgrades restore the"
                + " newest. Default 1.")
        Integer retained,
    @JsonPropertyDescription(
            "Incremental checkpoints (stateBackend rocksdb only): each checkpoint uploads only the"
                + " table files new since the last completed one to <jobId>/shared/, reference"
                + " counted across retained checkpoints. Savepoints are always full. Default false.")
        Boolean incremental) {

  /** A duration as the runtime parses it: 500ms, 10s, 5m, 1h, plain milliseconds or ISO-8601. */
  public static final String DURATION = "^([0-9]+(ms|s|m|h)?|P[0-9A-Z.]+)$";
}
