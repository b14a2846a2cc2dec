package dev.weir.state.rocksdb;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import dev.weir.state.WorkDirectory;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupFileReader;
import dev.weir.state.format.StateFileTransfer;
import dev.weir.storage.CheckpointStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;

/**
 * Restores a RocksDB backend from {@link CanonicalSnapshotFormat} files (its full checkpoints, and
 * savepoints of either backend), as Flink's RocksDBFullRestoreOperation restores full snapshots:
 * the key groups of the backend's range only, every state (registered or not) in its own column
 * family, converted into table files that the database ingests ({@link RocksDbCanonicalImport}).
 * The files are taken in key group order, so that where two overlap the later one wins; files of a
 * local-directory storage are read in place, others downloaded, and each is checked against the
 * size and CRC32C of its handle before it is parsed.
 *
 * <p>Used once, by the task thread, during {@link RocksDbKeyedStateBackend#restore}; it writes into
 * the backend's open database.
 */
final class RocksDbCanonicalRestore implements RocksDbCanonicalImport.Target {
  private final RocksDbResources resources;
  private final WorkDirectory workDirectory;
  private final KeyGroupRange keyGroupRange;
  private final int maxParallelism;

  // during restore()
  private Path tables;
  private Options tableOptions;
  private int tableFiles;

  RocksDbCanonicalRestore(
      RocksDbResources resources,
      WorkDirectory workDirectory,
      KeyGroupRange keyGroupRange,
      int maxParallelism) {
    this.resources = resources;
    this.workDirectory = workDirectory;
    this.keyGroupRange = keyGroupRange;
    this.maxParallelism = maxParallelism;
  }

  /**
   * Writes the entries of the backend's key groups in {@code handles} into its database.
   *
   * @param handles canonical handles that intersect the backend's key group range
   */
  void restore(List<KeyedStateHandle> handles, CheckpointStorage storage) throws IOException {
    List<KeyedStateHandle> ordered = new ArrayList<>(handles);
    ordered.sort(Comparator.comparingInt(KeyedStateHandle::getKeyGroupStart));
    KeyGroupFileReader reader =
        new KeyGroupFileReader(KeyGroupFileFormat.CANONICAL, maxParallelism, keyGroupRange);
    tables = Files.createDirectories(workDirectory.freshPath("import"));
    try (Options options = resources.tableOptions();
        RocksDbCanonicalImport importer = new RocksDbCanonicalImport(this)) {
      tableOptions = options;
      for (KeyedStateHandle handle : ordered) {
        for (StateFile file : handle.getFilesList()) {
          try (StateFileTransfer.LocalCopy local =
              StateFileTransfer.local(storage, file, workDirectory.freshPath("restore"))) {
            String location = storage.describe(file.getPath());
            reader.read(local.path(), location, importer.file(location));
          }
        }
      }
      importer.finish();
    } finally {
      tableOptions = null;
      WorkDirectory.deleteRecursively(tables);
    }
  }

  @Override
  public RocksDbColumn restoredColumn(String name, StateKind kind) throws StateRestoreException {
    RocksDbColumn column = resources.column(name);
    if (column != null) {
      return column;
    }
    try {
      return resources.addColumn(name, kind);
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot create the column family of restored state '" + name + "'", e);
    }
  }

  @Override
  public Options tableOptions() {
    return tableOptions;
  }

  @Override
  public Path newTableFile() {
    return tables.resolve(++tableFiles + ".sst");
  }

  @Override
  public void ingest(RocksDbColumn column, List<Path> files) throws RocksDBException {
    try (IngestExternalFileOptions options = new IngestExternalFileOptions().setMoveFiles(true)) {
      for (Path file : files) { // one by one: they may overlap
        resources.db().ingestExternalFile(column.handle, List.of(file.toString()), options);
      }
    }
  }
}
