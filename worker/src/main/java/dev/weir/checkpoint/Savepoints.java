package dev.weir.checkpoint;

import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;

/**
 * Finds savepoints by the location a user gives: the directory printed when the savepoint completed
 * (or its {@code _metadata} file), as a full location ({@code s3://bucket/prefix/...} or an
 * absolute directory) or as a path relative to the job's storage. Savepoints are read from the
 * job's own storage. Stateless.
 */
public final class Savepoints {
  private Savepoints() {}

  /**
   * The savepoint's directory within {@code storage}.
   *
   * @throws CorruptCheckpointException when the location lies outside the storage
   */
  public static String directoryOf(CheckpointStorage storage, String location)
      throws CorruptCheckpointException {
    String trimmed = location.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    String suffix = "/" + CompletedCheckpointStore.METADATA;
    if (trimmed.endsWith(suffix)) {
      trimmed = trimmed.substring(0, trimmed.length() - suffix.length());
    }
    String path = storage.pathOf(trimmed).orElse(null);
    if (path == null || path.isEmpty()) {
      throw new CorruptCheckpointException(
          location,
          "not a savepoint in this job's storage "
              + storage.describe()
              + " (savepoints are read from the storage the job's manifest names)",
          null);
    }
    return path;
  }

  /**
   * Reads the savepoint at {@code location}; its file paths are made relative to the storage.
   *
   * @throws CorruptCheckpointException naming the metadata file when it is missing, unreadable or
   *     not a savepoint's
   * @throws StorageException when the storage cannot be reached
   */
  public static CompletedCheckpoint load(CheckpointStorage storage, String location)
      throws StorageException, CorruptCheckpointException {
    String directory = directoryOf(storage, location);
    String metadata = directory + "/" + CompletedCheckpointStore.METADATA;
    try {
      return new CompletedCheckpoint(
          CompletedCheckpointStore.readSavepoint(storage, directory),
          storage.describe(directory),
          0,
          0,
          0);
    } catch (StorageException e) {
      if (e.isNotFound()) {
        throw new CorruptCheckpointException(
            storage.describe(metadata), "no savepoint there (the metadata file does not exist)", e);
      }
      throw e;
    }
  }

  /**
   * Deletes the savepoint at {@code location} after checking that it is one (a checkpoint or an
   * unrelated directory is never deleted).
   *
   * @return its id
   */
  public static long dispose(CheckpointStorage storage, String location)
      throws StorageException, CorruptCheckpointException {
    return dispose(storage, location, load(storage, location));
  }

  /** Deletes {@code savepoint}, read before from {@code location}; returns its id. */
  public static long dispose(
      CheckpointStorage storage, String location, CompletedCheckpoint savepoint)
      throws StorageException, CorruptCheckpointException {
    CompletedCheckpointStore.disposeSavepoint(storage, directoryOf(storage, location));
    return savepoint.checkpointId();
  }
}
