package dev.weir.checkpoint;

import dev.weir.proto.CheckpointMetadata;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The completed checkpoints of one job in storage, laid out as {@code <jobId>/chk-<n>/...} with
 * {@code <jobId>/chk-<n>/_metadata} written last: a checkpoint is complete exactly when its
 * metadata exists. Stateless apart from the storage; thread-safe.
 */
public final class CompletedCheckpointStore {
  public static final String METADATA = "_metadata";
  private static final Pattern METADATA_PATH = Pattern.compile(".*/chk-(\\d+)/_metadata$");

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

  /** Ids of the checkpoints whose metadata exists, ascending. */
  public List<Long> completedIds() throws StorageException {
    List<Long> ids = new ArrayList<>();
    for (String path : storage.list(jobId + "/chk-")) {
      Matcher m = METADATA_PATH.matcher(path);
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
    long highest = 0;
    String prefix = jobId + "/chk-";
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

  /** Deletes a checkpoint, metadata first, so that it is never seen half-deleted as complete. */
  public void delete(long checkpointId) throws StorageException {
    storage.delete(metadataPath(checkpointId));
    storage.deleteAll(checkpointDirectory(checkpointId) + "/");
  }
}
