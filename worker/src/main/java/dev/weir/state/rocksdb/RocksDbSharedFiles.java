package dev.weir.state.rocksdb;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.storage.CheckpointStorage;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The incremental-checkpoint bookkeeping of one RocksDB backend: which table (SST) files in shared
 * storage its next checkpoint may reference instead of uploading them again.
 *
 * <p>The basis is the set of table files of the last checkpoint confirmed complete ({@link
 * #completed}), or of the checkpoint restored from: those files are registered with the
 * coordinator's shared state registry. Files uploaded by a checkpoint still pending are never
 * referenced by another checkpoint (with several checkpoints in flight, one may be aborted and its
 * uploads deleted). RocksDB never rewrites a table file under the same name, so a name (and size)
 * in the basis identifies the same bytes.
 *
 * <p>Threading: {@link #basis}, {@link #completed} and {@link #restored} run on the task thread;
 * {@link #uploaded} on an upload thread, before the task acknowledges the checkpoint — and so
 * before the coordinator can confirm it.
 */
final class RocksDbSharedFiles {
  private final String directory;

  /** Table file name to its shared file, of the last confirmed checkpoint. Task thread. */
  private Map<String, StateFile> basis = Map.of();

  private long basisCheckpointId = -1;

  /** Per pending checkpoint: its table files by name (reused and new). */
  private final Map<Long, Map<String, StateFile>> pending = new ConcurrentHashMap<>();

  /**
   * @param directory where this backend's shared files go, e.g. {@code job/shared/op/3}
   */
  RocksDbSharedFiles(String directory) {
    this.directory = directory;
  }

  /** The files the next checkpoint may reference, captured by its synchronous part. Immutable. */
  Map<String, StateFile> basis() {
    return basis;
  }

  /** A fresh, unique storage path for a table file: never an existing object's. Any thread. */
  String newPath(long checkpointId, String fileName) {
    return CheckpointStorage.join(directory, checkpointId + "-" + UUID.randomUUID(), fileName);
  }

  /** A checkpoint's upload finished: its table files, to become the basis once it completes. */
  void uploaded(long checkpointId, Map<String, StateFile> tableFiles) {
    pending.put(checkpointId, Map.copyOf(tableFiles));
  }

  /** Checkpoint {@code checkpointId} is complete: its table files become the basis. */
  void completed(long checkpointId) {
    Map<String, StateFile> files = pending.get(checkpointId);
    if (files != null && checkpointId > basisCheckpointId) {
      basis = files;
      basisCheckpointId = checkpointId;
    }
    pending.keySet().removeIf(id -> id <= checkpointId); // completed, aborted or subsumed
  }

  /** The database was restored from {@code handle}: its shared files are the basis. */
  void restored(KeyedStateHandle handle) {
    Map<String, StateFile> files = new HashMap<>();
    for (StateFile file : handle.getFilesList()) {
      if (file.getShared()) {
        String path = file.getPath();
        files.put(path.substring(path.lastIndexOf('/') + 1), file);
      }
    }
    basis = Map.copyOf(files);
  }
}
