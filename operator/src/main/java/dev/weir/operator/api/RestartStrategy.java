package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** What the coordinator does when a task fails. Unset fields take the runtime's defaults. */
public record RestartStrategy(
    @JsonPropertyDescription(
            "none, fixed-delay, failure-rate or exponential-delay (default exponential-delay).")
        Type type,
    @Min(0) @JsonPropertyDescription("fixed-delay: restarts before the job fails (default 3).")
        Integer attempts,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription("fixed-delay, failure-rate: pause before a restart (default 1s).")
        String delay,
    @Min(1)
        @JsonPropertyDescription(
            "failure-rate: failures within interval that fail the job (default 3).")
        Integer maxFailures,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription("failure-rate: the window failures are counted in (default 5m).")
        String interval,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription("exponential-delay: first pause (default 1s).")
        String initialDelay,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription("exponential-delay: longest pause (default 1m).")
        String maxDelay,
    @Min(1) @JsonPropertyDescription("exponential-delay: factor between pauses (>= 1, default 2).")
        Double multiplier,
    @Pattern(Checkpointing.DURATION)
        @JsonPropertyDescription(
            "exponential-delay: running this long without failure resets the pause (default"
                + " 1h).")
        String resetAfter) {

  /** The restart strategies of the runtime. */
  public enum Type {
    @JsonProperty("none")
    NONE,
    @JsonProperty("fixed-delay")
    FIXED_DELAY,
    @JsonProperty("failure-rate")
    FAILURE_RATE,
    @JsonProperty("exponential-delay")
    EXPONENTIAL_DELAY
  }
}
