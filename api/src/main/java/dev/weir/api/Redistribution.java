package dev.weir.api;

/** How operator state entries are redistributed when the parallelism changes. */
public enum Redistribution {
  /** The entries of all subtasks are split evenly among the new subtasks. */
  EVEN_SPLIT,
  /** Every new subtask gets all entries of all subtasks. */
  UNION,
  /** Every subtask holds the same entries; every new subtask gets one copy. */
  BROADCAST
}
