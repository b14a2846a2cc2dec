package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The newest completed checkpoint the coordinator reported. */
public record CheckpointInfo(
    @JsonPropertyDescription("Checkpoint id (increasing per job id).") Long id,
    @JsonPropertyDescription("When it completed (RFC 3339).") String time,
    @JsonPropertyDescription("How long it took, in milliseconds.") Long durationMs,
    @JsonPropertyDescription("Size of its state, in bytes.") Long sizeBytes) {}
