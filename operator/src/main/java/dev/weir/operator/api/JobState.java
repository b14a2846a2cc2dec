package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether the user wants the job running. */
public enum JobState {
  @JsonProperty("running")
  RUNNING,
  @JsonProperty("suspended")
  SUSPENDED
}
