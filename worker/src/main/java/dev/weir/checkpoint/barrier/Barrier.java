package dev.weir.checkpoint.barrier;

import dev.weir.state.SnapshotType;
import java.util.Objects;

/**
 * A checkpoint barrier as it travels with the records: it separates the records before snapshot
 * {@code checkpointId} from those after it. Every barrier of one snapshot carries the same values,
 * from the source that emitted it to the last stage. Immutable.
 *
 * @param timestampMillis when the coordinator triggered the snapshot (its wall clock)
 * @param type a checkpoint, or a savepoint the user asked for (canonical format, never unaligned)
 * @param isFinal the last barrier: end-of-input follows once its snapshot completed (at once when
 *     the sources are exhausted; after the savepoint completed for stop-with-savepoint)
 */
public record Barrier(long checkpointId, long timestampMillis, SnapshotType type, boolean isFinal) {
  public Barrier {
    Objects.requireNonNull(type, "type");
  }

  /**
   * Whether this barrier may overtake in-flight data when the job checkpoints unaligned. Final
   * barriers and savepoints are always aligned: nothing follows a final barrier and the sinks must
   * have seen every record when they commit; a savepoint holds no channel state.
   */
  public boolean canBeUnaligned() {
    return !isFinal && type == SnapshotType.CHECKPOINT;
  }

  /** "checkpoint" or "savepoint", for messages. */
  public String describe() {
    return type == SnapshotType.SAVEPOINT ? "savepoint" : "checkpoint";
  }
}
