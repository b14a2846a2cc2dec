package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where keyed state lives while the job runs. */
public enum StateBackend {
  @JsonProperty("heap")
  HEAP,
  @JsonProperty("rocksdb")
  ROCKSDB
}
