package dev.weir.state.format;

import dev.weir.proto.ChannelStateHandle;
import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.StateRestoreException;
import dev.weir.storage.CheckpointStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks, before any task of an attempt runs, that every file a snapshot references is there with
 * the size and CRC32C its metadata recorded: keyed state (private and shared files) and channel
 * state. A restore then has nothing left to find unreadable once its tasks have side effects (a
 * sink committing or rolling back output). A file in a local directory is checked in place; one in
 * S3 is downloaded into a temporary file and deleted again, so a restore from S3 reads its state
 * twice (here and in the task).
 *
 * <p>Stateless; called on the job master's main thread.
 */
public final class SnapshotVerifier {
  private SnapshotVerifier() {}

  /**
   * @throws StateRestoreException naming the first file that is missing, truncated or corrupt
   * @throws dev.weir.storage.StorageException (inside the former) when storage cannot be reached
   */
  public static void verify(CheckpointStorage storage, CheckpointMetadata metadata)
      throws StateRestoreException {
    Map<String, StateFile> files = new LinkedHashMap<>();
    for (OperatorSnapshot operator : metadata.getOperatorsList()) {
      for (SubtaskSnapshot subtask : operator.getSubtasksList()) {
        for (KeyedStateHandle handle : subtask.getKeyedStateList()) {
          handle.getFilesList().forEach(f -> files.putIfAbsent(f.getPath(), f));
        }
        for (ChannelStateHandle handle : subtask.getChannelStateList()) {
          files.putIfAbsent(handle.getFile().getPath(), handle.getFile());
        }
      }
    }
    Path download;
    try {
      download = Files.createTempFile("weir-verify-", ".state");
      Files.delete(download);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file to verify state in", e);
    }
    for (StateFile file : files.values()) {
      try (StateFileTransfer.LocalCopy copy = StateFileTransfer.local(storage, file, download)) {
        // checked by local(): size and CRC32C against the handle
      } catch (StateRestoreException e) {
        throw e;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the temporary copy " + download, e);
      }
    }
  }
}
