package dev.weir.operator.api;

/** The consistency checkpoints give. */
public enum CheckpointingMode {
  EXACTLY_ONCE,
  AT_LEAST_ONCE
}
