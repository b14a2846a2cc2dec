package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One savepoint the operator requested, or its failure. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavepointInfo(
    @JsonPropertyDescription("Location to restore from; unset when the savepoint failed.")
        String path,
    @JsonPropertyDescription("When it completed or failed (RFC 3339).") String time,
    @JsonPropertyDescription("Why it was taken.") SavepointTrigger trigger,
    @JsonPropertyDescription("The annotation or nonce value that asked for it, if any.")
        String triggerValue,
    @JsonPropertyDescription("The job id it was taken from.") String jobId,
    @JsonPropertyDescription("Why it failed; unset when it completed.") String failure) {

  public boolean completed() {
    return path != null && failure == null;
  }
}
