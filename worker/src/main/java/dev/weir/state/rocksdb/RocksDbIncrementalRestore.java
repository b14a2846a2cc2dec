package dev.weir.state.rocksdb;

import static dev.weir.state.format.KeyedStateHandles.rangeOf;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import dev.weir.state.WorkDirectory;
import dev.weir.state.format.StateFileTransfer;
import dev.weir.storage.CheckpointStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Restores a RocksDB backend from native checkpoint directories (incremental checkpoints, {@link
 * RocksDbIncrementalSnapshot}), as Flink's RocksDBIncrementalRestoreOperation does: the snapshot
 * that covers most of the backend's key groups is downloaded and opened in place as the backend's
 * database (its table files become the basis of the next incremental checkpoint), the key groups
 * outside the backend's range are deleted from it, and the backend's key groups of every other
 * snapshot (after a change of parallelism) are copied in through write batches. Every file is
 * checked against the size and CRC32C of its handle on the way down.
 *
 * <p>Used once, by the task thread, during {@link RocksDbKeyedStateBackend#restore}.
 */
final class RocksDbIncrementalRestore {
  private final RocksDbResources resources;
  private final WorkDirectory workDirectory;
  private final KeyGroupRange keyGroupRange;
  private final int maxParallelism;

  /** Null for full checkpoints. */
  private final RocksDbSharedFiles sharedFiles;

  RocksDbIncrementalRestore(
      RocksDbResources resources,
      WorkDirectory workDirectory,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      RocksDbSharedFiles sharedFiles) {
    this.resources = resources;
    this.workDirectory = workDirectory;
    this.keyGroupRange = keyGroupRange;
    this.maxParallelism = maxParallelism;
    this.sharedFiles = sharedFiles;
  }

  /**
   * Replaces the backend's database by the restored one.
   *
   * @param handles native handles that intersect the backend's key group range, at least one
   */
  void restore(List<KeyedStateHandle> handles, CheckpointStorage storage) throws IOException {
    // The snapshot with most of our key groups is opened in place; the others are copied in.
    KeyedStateHandle base = handles.get(0);
    for (KeyedStateHandle handle : handles) {
      if (rangeOf(handle).intersect(keyGroupRange).size()
          > rangeOf(base).intersect(keyGroupRange).size()) {
        base = handle;
      }
    }
    Path baseDir = download(base, storage);
    Path emptyDb = resources.dbPath();
    resources.closeDb();
    WorkDirectory.deleteRecursively(emptyDb);
    String baseLocation = location(base, storage);
    try {
      resources.open(baseDir, baseLocation);
      if (sharedFiles != null) {
        sharedFiles.restored(base); // its table files are the database's now
      }
      clipTo(rangeOf(base));
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot open RocksDB snapshot " + baseLocation + ": " + e.getMessage(), e);
    }
    for (KeyedStateHandle handle : handles) {
      if (handle != base) {
        Path dir = download(handle, storage);
        try {
          copyFrom(dir, rangeOf(handle), location(handle, storage));
        } finally {
          WorkDirectory.deleteRecursively(dir);
        }
      }
    }
  }

  /** The storage "directory" of a handle's files, for messages. */
  private static String location(KeyedStateHandle handle, CheckpointStorage storage) {
    if (handle.getFilesCount() == 0) {
      return "(no files) of key groups " + rangeOf(handle);
    }
    String path = handle.getFiles(0).getPath();
    int slash = path.lastIndexOf('/');
    return storage.describe(slash < 0 ? "" : path.substring(0, slash));
  }

  /** Downloads and verifies every file of a handle into a fresh local directory. */
  private Path download(KeyedStateHandle handle, CheckpointStorage storage) throws IOException {
    if (handle.getFilesCount() == 0) {
      throw new StateRestoreException(
          "RocksDB keyed state handle of key groups " + rangeOf(handle) + " lists no files");
    }
    Path dir = Files.createDirectories(workDirectory.freshPath("restore"));
    try {
      for (StateFile file : handle.getFilesList()) {
        String name = StateFileTransfer.fileName(file.getPath(), storage);
        StateFileTransfer.download(storage, file, dir.resolve(name));
      }
    } catch (IOException | RuntimeException e) {
      WorkDirectory.deleteRecursively(dir);
      throw e;
    }
    return dir;
  }

  /** Deletes the key groups of {@code source} outside the backend's range, in every state. */
  private void clipTo(KeyGroupRange source) throws RocksDBException {
    RocksDB db = resources.db();
    for (RocksDbColumn column : resources.columns()) {
      if (source.start() < keyGroupRange.start()) {
        db.deleteRange(
            column.handle,
            resources.writeOptions(),
            RocksDbKeyLayout.keyGroupPrefix(0),
            RocksDbKeyLayout.keyGroupPrefix(keyGroupRange.start()));
      }
      if (source.end() > keyGroupRange.end()) {
        db.deleteRange(
            column.handle,
            resources.writeOptions(),
            RocksDbKeyLayout.keyGroupPrefix(keyGroupRange.end() + 1),
            RocksDbKeyLayout.keyGroupPrefix(maxParallelism));
      }
    }
  }

  /** Copies the entries of the backend's key groups from a downloaded snapshot. */
  private void copyFrom(Path dir, KeyGroupRange source, String location) throws IOException {
    List<byte[]> names;
    try {
      names = RocksDbResources.listColumns(dir);
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot open RocksDB snapshot " + location + ": " + e.getMessage(), e);
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>(names.size());
    RocksDB snapshotDb = null;
    try {
      snapshotDb = resources.openReadOnly(dir, names, handles);
      ColumnFamilyHandle meta = RocksDbResources.metaColumn(names, handles);
      KeyGroupRange wanted = source.intersect(keyGroupRange);
      for (int i = 0; i < names.size(); i++) {
        String stateName = RocksDbKeyLayout.stateName(names.get(i));
        if (stateName == null) {
          continue;
        }
        StateKind kind = RocksDbResources.readKind(snapshotDb, meta, stateName, location);
        RocksDbColumn target = resources.column(stateName);
        if (target == null) {
          target = resources.addColumn(stateName, kind);
        } else {
          StateKind.requireSame(stateName, target.kind, kind);
        }
        copyRange(snapshotDb, handles.get(i), target, wanted);
      }
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot copy key groups from RocksDB snapshot " + location + ": " + e.getMessage(), e);
    } finally {
      for (ColumnFamilyHandle handle : handles) {
        handle.close();
      }
      if (snapshotDb != null) {
        snapshotDb.close();
      }
    }
  }

  private void copyRange(
      RocksDB source, ColumnFamilyHandle from, RocksDbColumn to, KeyGroupRange range)
      throws RocksDBException {
    RocksDB db = resources.db();
    try (RocksIterator it = source.newIterator(from, resources.readOptions());
        WriteBatch batch = new WriteBatch()) {
      for (it.seek(RocksDbKeyLayout.keyGroupPrefix(range.start())); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (RocksDbKeyLayout.keyGroupOf(key) > range.end()) {
          break;
        }
        batch.put(to.handle, key, it.value());
        if (batch.getDataSize() >= RocksDbResources.WRITE_BATCH_BYTES) {
          db.write(resources.writeOptions(), batch);
          batch.clear();
        }
      }
      it.status();
      db.write(resources.writeOptions(), batch);
    }
  }
}
