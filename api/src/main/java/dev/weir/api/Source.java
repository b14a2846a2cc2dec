package dev.weir.api;

/**
 * Where records come from. Pull-based: the runtime calls {@link #emitBatch} on the task thread and
 * takes checkpoints between calls, so a source never needs a lock.
 */
public interface Source<T> {
  /** Called once before the first batch; restore positions from operator state here. */
  void open(RuntimeContext context, OperatorStateStore state) throws Exception;

  /**
   * Emits a small batch (up to a few hundred records) and returns whether more may follow. A
   * bounded source returns {@code false} once it is exhausted. MUST NOT block for long.
   */
  boolean emitBatch(Collector<T> out) throws Exception;

  /** Writes the current position into operator state. */
  void snapshotState(long checkpointId) throws Exception;

  default void close() throws Exception {}
}
