package dev.weir.checkpoint;

/** What a checkpoint guarantees about the state it captures. */
public enum CheckpointingMode {
  /** Aligned barriers: a task blocks an input that delivered barrier n until all inputs did. */
  EXACTLY_ONCE,
  /** Barriers never block; state may include records after the barrier, replayed on recovery. */
  AT_LEAST_ONCE
}
