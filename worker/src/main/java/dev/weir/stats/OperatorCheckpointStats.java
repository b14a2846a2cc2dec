package dev.weir.stats;

/**
 * One operator (by uid) of one checkpoint, summed over the subtasks that acknowledged; immutable.
 *
 * @param stage the stage whose tasks run this operator
 * @param stateSizeBytes sizes of the operator's keyed state files plus its operator state entries
 */
public record OperatorCheckpointStats(
    String uid, int stage, int acknowledgedSubtasks, long stateSizeBytes) {}
