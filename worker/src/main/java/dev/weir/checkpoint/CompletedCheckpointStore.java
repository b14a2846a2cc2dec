package dev.weir.checkpoint;

import dev.weir.proto.CheckpointMetadata;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The completed checkpoints and savepoints of one job in storage, laid out as {@code
 * <jobId>/chk-<n>/...} and {@code <jobId>/savepoints/sp-<n>/...} with {@code _metadata} written
 * last: a snapshot is complete exactly when its metadata exists. Checkpoint and savepoint ids come
 * from one sequence. The file paths in a savepoint's metadata are relative to its directory, so a
 * savepoint directory can be moved or copied within the storage and still restores. Stateless apart
 * from the storage; thread-safe.
 */
public final class CompletedCheckpointStore {
  public static final String METADATA = "_metadata";
  private static final Pattern METADATA_PATH = Pattern.compile(".*/chk-(\\d+)/_metadata$");
  private static final Pattern SAVEPOINT_METADATA_PATH =
      Pattern.compile(".*/savepoints/sp-(\\d+)/_metadata$");

  private final CheckpointStorage storage;
  private final String jobId;

  public CompletedCheckpointStore(CheckpointStorage storage, String jobId) {
    this.storage = storage;
    this.jobId = jobId;
  }

  public CheckpointStorage storage() {
    return storage;
  }

  public String jobId() {
    return jobId;
  }

  /** {@code <jobId>/chk-<n>} — where the tasks of checkpoint n write their files. */
  public String checkpointDirectory(long checkpointId) {
    return jobId + "/chk-" + checkpointId;
  }

  /**
   * {@code <jobId>/shared/} — files of incremental checkpoints that several checkpoints may
   * reference, counted by the {@link SharedStateRegistry}; never deleted with a checkpoint.
   */
  public String sharedDirectory() {
    return jobId + "/shared/";
  }

  public String metadataPath(long checkpointId) {
    return checkpointDirectory(checkpointId) + "/" + METADATA;
  }

  /** {@code <jobId>/savepoints/sp-<n>} — where the tasks of savepoint n write their files. */
  public String savepointDirectory(long checkpointId) {
    return jobId + "/savepoints/sp-" + checkpointId;
  }

  /** Ids of the checkpoints whose metadata exists, ascending. */
  public List<Long> completedIds() throws StorageException {
    return idsOf(jobId + "/chk-", METADATA_PATH);
  }

  /** Ids of this job's savepoints whose metadata exists, ascending. */
  public List<Long> savepointIds() throws StorageException {
    return idsOf(jobId + "/savepoints/sp-", SAVEPOINT_METADATA_PATH);
  }

  private List<Long> idsOf(String prefix, Pattern metadataPath) throws StorageException {
    List<Long> ids = new ArrayList<>();
    for (String path : storage.list(prefix)) {
      Matcher m = metadataPath.matcher(path);
      if (m.matches()) {
        ids.add(Long.parseLong(m.group(1)));
      }
    }
    ids.sort(null);
    return ids;
  }

  /**
   * The highest checkpoint id with any file in storage, complete or not: a restarted coordinator
   * continues after it so that it never writes into a directory an earlier one left behind.
   */
  public long highestIdSeen() throws StorageException {
    return Math.max(highestIdUnder(jobId + "/chk-"), highestIdUnder(jobId + "/savepoints/sp-"));
  }

  private long highestIdUnder(String prefix) throws StorageException {
    long highest = 0;
    for (String path : storage.list(prefix)) {
      int slash = path.indexOf('/', prefix.length());
      String digits =
          slash < 0 ? path.substring(prefix.length()) : path.substring(prefix.length(), slash);
      if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
        highest = Math.max(highest, Long.parseLong(digits));
      }
    }
    return highest;
  }

  /** Writes the metadata: from now on the checkpoint is complete. */
  public String writeMetadata(CheckpointMetadata metadata) throws StorageException {
    String path = metadataPath(metadata.getCheckpointId());
    storage.write(path, CheckpointMetadataFormat.encode(metadata));
    return path;
  }

  public CheckpointMetadata readMetadata(long checkpointId)
      throws StorageException, CorruptCheckpointException {
    String path = metadataPath(checkpointId);
    return CheckpointMetadataFormat.decode(storage.read(path), storage.describe(path));
  }

  /**
   * Writes a savepoint's metadata (file paths made relative to its directory): from now on the
   * savepoint is complete.
   *
   * @param metadata as the tasks reported it, with paths relative to the storage
   * @return the metadata's path
   */
  public String writeSavepointMetadata(CheckpointMetadata metadata) throws StorageException {
    String directory = savepointDirectory(metadata.getCheckpointId());
    String path = directory + "/" + METADATA;
    CheckpointMetadata portable =
        SnapshotPaths.relativize(metadata.toBuilder().setSavepoint(true).build(), directory);
    storage.write(path, CheckpointMetadataFormat.encode(portable));
    return path;
  }

  /** Reads one of this job's savepoints, its file paths relative to the storage. */
  public CheckpointMetadata readSavepointMetadata(long checkpointId)
      throws StorageException, CorruptCheckpointException {
    return readSavepoint(storage, savepointDirectory(checkpointId));
  }

  /**
   * Reads the savepoint in {@code directory} (a path within {@code storage}), its file paths made
   * relative to the storage.
   *
   * @throws CorruptCheckpointException naming the metadata file when it does not decode or is not a
   *     savepoint's
   */
  public static CheckpointMetadata readSavepoint(CheckpointStorage storage, String directory)
      throws StorageException, CorruptCheckpointException {
    String path = directory + "/" + METADATA;
    CheckpointMetadata metadata =
        CheckpointMetadataFormat.decode(storage.read(path), storage.describe(path));
    if (!metadata.getSavepoint()) {
      throw new CorruptCheckpointException(
          storage.describe(path), "this is a checkpoint's metadata, not a savepoint's", null);
    }
    return SnapshotPaths.absolutize(metadata, directory);
  }

  /** Deletes a savepoint, metadata first. */
  public static void disposeSavepoint(CheckpointStorage storage, String directory)
      throws StorageException {
    storage.delete(directory + "/" + METADATA);
    storage.deleteAll(directory + "/");
  }

  /** Deletes a checkpoint, metadata first, so that it is never seen half-deleted as complete. */
  public void delete(long checkpointId) throws StorageException {
    storage.delete(metadataPath(checkpointId));
    storage.deleteAll(checkpointDirectory(checkpointId) + "/");
  }
}
