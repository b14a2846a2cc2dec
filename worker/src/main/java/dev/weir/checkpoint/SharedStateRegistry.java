package dev.weir.checkpoint;

import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.storage.StorageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference counts of the shared files of incremental checkpoints ({@code <jobId>/shared/}, {@code
 * StateFile.shared}): a file is referenced once by every retained checkpoint that lists it, and is
 * deleted only when no retained checkpoint does — and not at once (see below). Savepoints never
 * reference shared files, so they never touch these counts.
 *
 * <ul>
 *   <li>{@link #register} when a checkpoint completes, before older ones are dropped beyond
 *       retention; {@link #unregister} when one is dropped. A file whose count falls to zero
 *       becomes a <em>candidate</em> for deletion.
 *   <li>Candidates are deleted when a later checkpoint completes ({@link #collectGarbage}) or when
 *       checkpointing stops ({@link #deleteAllCandidates}), not when they are released: a task
 *       takes its snapshot on the basis of the last checkpoint it heard was complete, and may not
 *       have heard of the newer one yet. A checkpoint that references a candidate revives it.
 *   <li>Files uploaded for a checkpoint that never completes (aborted, declined, subsumed, acked
 *       late) are deleted unless a registered checkpoint references them ({@link
 *       #discardUnregistered}).
 *   <li>A checkpoint referencing a file this registry already deleted is refused ({@link
 *       #firstDeletedReference}): it would not restore.
 *   <li>A restarted coordinator rebuilds the counts from the retained checkpoints' metadata and
 *       deletes every file under {@code shared/} none of them references ({@link #recover}), before
 *       it triggers any checkpoint.
 * </ul>
 *
 * <p>Threading: owned by the coordinator's main thread, like the retained checkpoints whose files
 * it counts; deletions run on the I/O executor. {@link #recover} does its storage I/O on the
 * calling thread (it runs once, before the job is deployed).
 */
public final class SharedStateRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(SharedStateRegistry.class);

  /** Deleted paths remembered to refuse late references; bounded, oldest forgotten first. */
  private static final int DELETED_REMEMBERED = 100_000;

  private final CompletedCheckpointStore store;
  private final Executor ioExecutor;

  private final Map<String, Integer> references = new HashMap<>();
  private final Map<Long, List<String>> byCheckpoint = new TreeMap<>();

  /** Files at zero references, each with the id a checkpoint must reach before it is deleted. */
  private final Map<String, Long> candidates = new LinkedHashMap<>();

  private final Set<String> deleted = new LinkedHashSet<>();

  public SharedStateRegistry(CompletedCheckpointStore store, Executor ioExecutor) {
    this.store = store;
    this.ioExecutor = ioExecutor;
  }

  /** The shared files a checkpoint's metadata lists, each once, with their sizes. */
  static Map<String, Long> sharedFiles(CheckpointMetadata metadata) {
    Map<String, Long> files = new LinkedHashMap<>();
    for (OperatorSnapshot operator : metadata.getOperatorsList()) {
      for (SubtaskSnapshot subtask : operator.getSubtasksList()) {
        addShared(subtask, files);
      }
    }
    return files;
  }

  private static void addShared(SubtaskSnapshot subtask, Map<String, Long> files) {
    for (KeyedStateHandle handle : subtask.getKeyedStateList()) {
      for (StateFile file : handle.getFilesList()) {
        if (file.getShared()) {
          files.put(file.getPath(), file.getSize());
        }
      }
    }
  }

  /**
   * A shared file the checkpoint references that was deleted already, or null when there is none.
   * Checked before the checkpoint's metadata is written.
   */
  public String firstDeletedReference(CheckpointMetadata metadata) {
    for (String path : sharedFiles(metadata).keySet()) {
      if (deleted.contains(path)) {
        return path;
      }
    }
    return null;
  }

  /**
   * Counts the references of a completed checkpoint.
   *
   * @return bytes of the shared files no retained checkpoint referenced before: what this
   *     checkpoint uploaded to {@code shared/}
   */
  public long register(CheckpointMetadata metadata) {
    long checkpointId = metadata.getCheckpointId();
    if (byCheckpoint.containsKey(checkpointId)) {
      throw new IllegalStateException("checkpoint " + checkpointId + " is registered already");
    }
    Map<String, Long> files = sharedFiles(metadata);
    long newBytes = 0;
    for (Map.Entry<String, Long> file : files.entrySet()) {
      String path = file.getKey();
      int before = references.getOrDefault(path, 0);
      if (before == 0 && candidates.remove(path) == null) {
        newBytes += file.getValue();
      }
      references.put(path, before + 1);
    }
    byCheckpoint.put(checkpointId, new ArrayList<>(files.keySet()));
    return newBytes;
  }

  /**
   * Drops the references of a checkpoint no longer retained; its files that no other retained
   * checkpoint references become candidates, deleted once a checkpoint numbered {@code
   * deleteWhenCompleted} or higher completes.
   */
  public void unregister(long checkpointId, long deleteWhenCompleted) {
    List<String> paths = byCheckpoint.remove(checkpointId);
    if (paths == null) {
      return;
    }
    for (String path : paths) {
      int left = references.merge(path, -1, Integer::sum);
      if (left <= 0) {
        references.remove(path);
        candidates.put(path, deleteWhenCompleted);
      }
    }
  }

  /** A checkpoint completed (and registered): deletes the candidates it was waited for. */
  public void collectGarbage(long completedCheckpointId) {
    List<String> due = new ArrayList<>();
    for (Iterator<Map.Entry<String, Long>> it = candidates.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> candidate = it.next();
      if (candidate.getValue() <= completedCheckpointId) {
        due.add(candidate.getKey());
        it.remove();
      }
    }
    delete(due);
  }

  /**
   * Checkpointing stopped (failover or end of the job): tasks restart from a retained checkpoint,
   * so no future checkpoint can reference a candidate.
   */
  public void deleteAllCandidates() {
    List<String> due = new ArrayList<>(candidates.keySet());
    candidates.clear();
    delete(due);
  }

  /**
   * The snapshots of a checkpoint that will never complete: deletes the shared files they list that
   * no registered checkpoint references (what they uploaded themselves).
   */
  public void discardUnregistered(Collection<TaskSnapshot> snapshots) {
    Map<String, Long> files = new LinkedHashMap<>();
    for (TaskSnapshot snapshot : snapshots) {
      for (SubtaskSnapshot subtask : snapshot.operators().values()) {
        addShared(subtask, files);
      }
    }
    List<String> unreferenced = new ArrayList<>();
    for (String path : files.keySet()) {
      if (!references.containsKey(path)
          && !candidates.containsKey(path)
          && !deleted.contains(path)) {
        unreferenced.add(path);
      }
    }
    delete(unreferenced);
  }

  /**
   * Rebuilds the counts from the retained checkpoints (a restarted coordinator, before any
   * checkpoint is triggered) and deletes every file under {@code shared/} that none of them
   * references: uploads of checkpoints that never completed, and files of checkpoints deleted while
   * no coordinator counted. Blocks on storage.
   */
  public void recover(Collection<CheckpointMetadata> retained) throws StorageException {
    for (CheckpointMetadata metadata : retained) {
      if (!byCheckpoint.containsKey(metadata.getCheckpointId())) {
        register(metadata);
      }
    }
    Set<String> orphans = new HashSet<>();
    for (String path : store.storage().list(store.sharedDirectory())) {
      if (!references.containsKey(path)) {
        orphans.add(path);
      }
    }
    if (!orphans.isEmpty()) {
      LOG.info(
          "deleting {} shared files of job {} that no retained checkpoint references",
          orphans.size(),
          store.jobId());
    }
    for (String path : orphans) {
      store.storage().delete(path);
      remember(path);
    }
  }

  private void delete(List<String> paths) {
    if (paths.isEmpty()) {
      return;
    }
    for (String path : paths) {
      remember(path);
    }
    ioExecutor.execute(
        () -> {
          for (String path : paths) {
            try {
              store.storage().delete(path);
            } catch (Exception e) {
              // left behind: the next coordinator start deletes it as an orphan
              LOG.warn("could not delete shared file {}: {}", path, e.getMessage());
            }
          }
        });
  }

  private void remember(String path) {
    deleted.add(path);
    if (deleted.size() > DELETED_REMEMBERED) {
      Iterator<String> oldest = deleted.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** References of a path by retained checkpoints (0 when unknown or a candidate). For tests. */
  public int referenceCount(String path) {
    return references.getOrDefault(path, 0);
  }

  /** Every path referenced by a retained checkpoint. For tests and diagnostics. */
  public Set<String> referencedPaths() {
    return Set.copyOf(references.keySet());
  }

  /** Paths waiting for deletion. For tests. */
  public Set<String> candidatePaths() {
    return Set.copyOf(candidates.keySet());
  }
}
