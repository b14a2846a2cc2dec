package dev.weir.state;

/**
 * What a snapshot is for. A checkpoint may use the backend's native, incremental format; a
 * savepoint is written in the canonical format every backend reads (see {@code
 * KeyedStateBackend#snapshot}), self-contained (it references no shared files) and owned by the
 * user. Immutable.
 */
public enum SnapshotType {
  CHECKPOINT,
  SAVEPOINT
}
