package dev.weir.state.format;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateBackendKind;
import dev.weir.state.StateRestoreException;
import dev.weir.storage.CheckpointStorage;
import java.util.List;

/** What both keyed state backends do with the handles of their snapshots. Stateless. */
public final class KeyedStateHandles {
  private KeyedStateHandles() {}

  /** The key groups a handle covers. */
  public static KeyGroupRange rangeOf(KeyedStateHandle handle) {
    return KeyGroupRange.of(handle.getKeyGroupStart(), handle.getKeyGroupEnd());
  }

  /** The handle of a snapshot written as one file for {@code range}, by backend {@code backend}. */
  public static List<KeyedStateHandle> singleFile(
      KeyGroupRange range, StateFile file, String backend) {
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
  public static boolean requireReadable(
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
