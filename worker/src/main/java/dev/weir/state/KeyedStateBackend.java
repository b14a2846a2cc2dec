package dev.weir.state;

import dev.weir.api.KeyedStateStore;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.storage.CheckpointStorage;
import java.util.List;

/**
 * The keyed state of one subtask of one keyed operator: every key group in {@link
 * #keyGroupRange()}. State handles obtained through {@link KeyedStateStore} read and write the
 * entry of the current key set by {@link #setCurrentKey}.
 *
 * <p>Threading: owned by the task thread. Only {@link KeyedSnapshot#upload()} runs elsewhere (the
 * asynchronous part of a snapshot), and it MUST NOT observe changes made after {@link #snapshot}
 * returned.
 */
public interface KeyedStateBackend extends KeyedStateStore, AutoCloseable {

  KeyGroupRange keyGroupRange();

  /**
   * Sets the key that state handles refer to until the next call. {@code keyGroup} is the key's
   * group as computed by {@link KeyGroupRangeAssignment} from its serialized form; it MUST be in
   * {@link #keyGroupRange()}.
   */
  void setCurrentKey(Object key, int keyGroup);

  /**
   * Synchronous part of a snapshot: captures the state as of now, quickly (copy-on-write for the
   * heap; for RocksDB a RocksDB snapshot, or a native checkpoint when incremental). Processing
   * continues while the returned snapshot is uploaded.
   *
   * @param pathPrefix where in {@code storage} this snapshot's files go, e.g. {@code
   *     job/chk-7/op-count/3}
   */
  KeyedSnapshot snapshot(long checkpointId, CheckpointStorage storage, String pathPrefix)
      throws Exception;

  /**
   * A snapshot of the given type. {@link SnapshotType#SAVEPOINT} writes the canonical format
   * (backend {@code "canonical"} in the handle) that both backends restore.
   */
  default KeyedSnapshot snapshot(
      long checkpointId, SnapshotType type, CheckpointStorage storage, String pathPrefix)
      throws Exception {
    if (type != SnapshotType.CHECKPOINT) {
      throw new UnsupportedOperationException(
          getClass().getSimpleName() + " cannot write " + type + " snapshots");
    }
    return snapshot(checkpointId, storage, pathPrefix);
  }

  /**
   * Loads state from earlier snapshots. The handles may cover more key groups than this backend
   * owns (after a change of parallelism); only key groups in {@link #keyGroupRange()} are kept.
   * Called once, before any record. Corrupt or missing files fail with a message naming the file.
   */
  void restore(List<KeyedStateHandle> handles, CheckpointStorage storage) throws Exception;

  /**
   * Checkpoint {@code checkpointId} is complete (its metadata is written). An incremental backend
   * may from now on reference the files that checkpoint uploaded in its next checkpoints; files of
   * checkpoints not confirmed complete are never referenced by another. Task thread.
   */
  default void notifyCheckpointComplete(long checkpointId) {}

  /** Number of bytes of state held, an estimate for statistics. */
  long estimatedSizeBytes();

  /** Releases native resources and local files. */
  @Override
  void close();

  /** The asynchronous part of a snapshot. */
  interface KeyedSnapshot {
    /** Writes the captured state to storage and describes what was written. */
    List<KeyedStateHandle> upload() throws Exception;

    /** Drops the captured state without writing it (the checkpoint was aborted). */
    void discard();

    /**
     * Asks a running {@link #upload()} to give up soon (its checkpoint was aborted), which it then
     * does by throwing; an upload that cannot stop early finishes. Any thread.
     */
    default void cancel() {}
  }
}
