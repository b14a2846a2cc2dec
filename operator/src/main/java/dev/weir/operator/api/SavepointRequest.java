package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A savepoint the operator asked the coordinator for and has not seen finish. Recorded before the
 * request is sent, so a restarted operator asks again with the same id (idempotent) instead of
 * starting a second one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavepointRequest(
    @JsonPropertyDescription("Request id sent to the coordinator.") String requestId,
    @JsonPropertyDescription("Why.") SavepointTrigger trigger,
    @JsonPropertyDescription("The annotation or nonce value that asked for it, if any.")
        String triggerValue,
    @JsonPropertyDescription("Whether the job stops after it (stop-with-savepoint).") Boolean stop,
    @JsonPropertyDescription("When the operator decided to take it (RFC 3339).")
        String startedAt) {}
