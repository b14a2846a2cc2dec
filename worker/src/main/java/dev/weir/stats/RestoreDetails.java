package dev.weir.stats;

/**
 * A restore of the job's state from a checkpoint (on a start or a failover); immutable.
 *
 * @param path where the restored checkpoint's metadata is
 */
public record RestoreDetails(long checkpointId, long restoreTimestampMillis, String path) {}
