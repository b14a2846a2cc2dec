package dev.weir.state;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.storage.CheckpointStorage;
import java.util.List;
import java.util.Objects;

/** The keyed state backend factory of each {@link StateBackendKind}, and what backends share. */
public final class KeyedStateBackends {
  private KeyedStateBackends() {}

  /**
   * The factory of a kind with its default settings; for RocksDB, the value cache capacity can be
   * overridden by a system property ({@link RocksDbKeyedStateBackendFactory#fromSystemProperties}).
   */
  public static KeyedStateBackendFactory forKind(StateBackendKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case HEAP -> new HeapKeyedStateBackendFactory();
      case ROCKSDB -> RocksDbKeyedStateBackendFactory.fromSystemProperties();
    };
  }

  /**
   * The factory of a kind, as {@link #forKind(StateBackendKind)}, with incremental checkpoints when
   * {@code incrementalSharedDirectory} is not null (RocksDB only).
   *
   * @param incrementalSharedDirectory the job's {@code <jobId>/shared/} directory, or null for full
   *     checkpoints
   * @throws IllegalArgumentException for incremental checkpoints with the heap backend
   */
  public static KeyedStateBackendFactory forKind(
      StateBackendKind kind, String incrementalSharedDirectory) {
    if (incrementalSharedDirectory == null) {
      return forKind(kind);
    }
    if (kind != StateBackendKind.ROCKSDB) {
      throw new IllegalArgumentException(
          "incremental checkpoints need the rocksdb state backend, not " + kind.id());
    }
    return RocksDbKeyedStateBackendFactory.fromSystemProperties()
        .withIncrementalCheckpoints(incrementalSharedDirectory);
  }

  /** The handle of a snapshot written as one file for {@code range}, by backend {@code backend}. */
  static List<KeyedStateHandle> singleFile(KeyGroupRange range, StateFile file, String backend) {
    return List.of(
        KeyedStateHandle.newBuilder()
            .setKeyGroupStart(range.start())
            .setKeyGroupEnd(range.end())
            .addFiles(file)
            .setBackend(backend)
            .build());
  }

  /**
   * Fails unless a backend of {@code kind} can read a handle: one it wrote itself, or a canonical
   * savepoint ({@link CanonicalSnapshotFormat}). Native formats differ, and switching backends
   * through a checkpoint is not supported.
   *
   * @return true when the handle is canonical, false when native
   */
  static boolean requireReadable(
      KeyedStateHandle handle, StateBackendKind kind, CheckpointStorage storage)
      throws StateRestoreException {
    if (kind.id().equals(handle.getBackend())) {
      return false;
    }
    if (CanonicalSnapshotFormat.BACKEND_ID.equals(handle.getBackend())) {
      return true;
    }
    String where =
        handle.getFilesCount() == 0
            ? ""
            : " (" + storage.describe(handle.getFiles(0).getPath()) + ")";
    throw new StateRestoreException(
        "keyed state of key groups ["
            + handle.getKeyGroupStart()
            + ".."
            + handle.getKeyGroupEnd()
            + "]"
            + where
            + " was written by the '"
            + handle.getBackend()
            + "' state backend; the '"
            + kind.id()
            + "' backend cannot read it (restore from a savepoint to switch backends)");
  }
}
