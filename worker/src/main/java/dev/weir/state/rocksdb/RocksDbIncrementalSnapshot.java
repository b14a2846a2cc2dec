package dev.weir.state.rocksdb;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.StateBackendKind;
import dev.weir.state.WorkDirectory;
import dev.weir.state.format.StateFileTransfer;
import dev.weir.storage.CheckpointStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous part of an incremental RocksDB checkpoint: uploads the files of a native
 * checkpoint directory and deletes the directory. The directory is immutable (hard links to table
 * files that RocksDB never changes), so later writes cannot leak in. Used by one upload thread, or
 * by whoever discards it. (Full checkpoints are {@link RocksDbFullSnapshot}s.)
 *
 * <p>Table files ({@code *.sst}) in the basis captured by the synchronous part are referenced, not
 * uploaded; new ones are uploaded to unique paths in shared storage ({@code StateFile.shared}); the
 * other files (MANIFEST, OPTIONS, CURRENT) are small and private to the checkpoint. If the upload
 * fails, the shared files it uploaded are deleted again.
 */
final class RocksDbIncrementalSnapshot implements KeyedStateBackend.KeyedSnapshot {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbIncrementalSnapshot.class);

  private final long checkpointId;
  private final Path dir;
  private final KeyGroupRange keyGroupRange;
  private final CheckpointStorage storage;
  private final String pathPrefix;
  private final RocksDbSharedFiles sharedFiles;
  private final Map<String, StateFile> basis;
  private final AtomicBoolean released = new AtomicBoolean();

  RocksDbIncrementalSnapshot(
      long checkpointId,
      Path dir,
      KeyGroupRange keyGroupRange,
      CheckpointStorage storage,
      String pathPrefix,
      RocksDbSharedFiles sharedFiles) {
    this.checkpointId = checkpointId;
    this.dir = dir;
    this.keyGroupRange = keyGroupRange;
    this.storage = storage;
    this.pathPrefix = pathPrefix;
    this.sharedFiles = java.util.Objects.requireNonNull(sharedFiles, "sharedFiles");
    this.basis = sharedFiles.basis();
  }

  @Override
  public List<KeyedStateHandle> upload() throws Exception {
    if (released.getAndSet(true)) {
      throw new IllegalStateException("snapshot " + dir + " was already uploaded or discarded");
    }
    List<String> uploadedShared = new ArrayList<>();
    try {
      List<Path> files;
      try (Stream<Path> list = Files.list(dir)) {
        files = list.sorted().collect(Collectors.toList());
      }
      KeyedStateHandle.Builder handle =
          KeyedStateHandle.newBuilder()
              .setKeyGroupStart(keyGroupRange.start())
              .setKeyGroupEnd(keyGroupRange.end())
              .setBackend(StateBackendKind.ROCKSDB.id());
      Map<String, StateFile> tableFiles = new LinkedHashMap<>();
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".sst")) {
          String path = CheckpointStorage.join(pathPrefix, name);
          handle.addFiles(StateFileTransfer.upload(storage, path, file));
          continue;
        }
        StateFile shared = basis.get(name);
        if (shared == null || shared.getSize() != Files.size(file)) {
          String path = sharedFiles.newPath(checkpointId, name);
          uploadedShared.add(path);
          shared =
              StateFileTransfer.upload(storage, path, file).toBuilder().setShared(true).build();
        }
        handle.addFiles(shared);
        tableFiles.put(name, shared);
      }
      sharedFiles.uploaded(checkpointId, tableFiles);
      return List.of(handle.build());
    } catch (Exception e) {
      deleteQuietly(uploadedShared); // never registered: nobody else would delete them
      throw e;
    } finally {
      try {
        WorkDirectory.deleteRecursively(dir);
      } catch (RuntimeException e) {
        // local scratch only: failing here would orphan what was uploaded
        LOG.warn("could not delete the local checkpoint directory {}: {}", dir, e.getMessage());
      }
    }
  }

  private void deleteQuietly(List<String> paths) {
    for (String path : paths) {
      try {
        storage.delete(path);
      } catch (Exception e) {
        LOG.warn("could not delete shared file {} of a failed upload: {}", path, e.getMessage());
      }
    }
  }

  @Override
  public void discard() {
    if (!released.getAndSet(true)) {
      WorkDirectory.deleteRecursively(dir);
    }
  }
}
