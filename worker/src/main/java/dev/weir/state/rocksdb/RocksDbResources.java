package dev.weir.state.rocksdb;

import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteOptions;

/**
 * Everything native of one RocksDB backend, opened and closed in one place: the option objects (as
 * Flink's RocksDBResourceContainer holds them), the open database with its metadata column family
 * and {@link Checkpoint} object, and the {@link RocksDbColumn} of every state, which outlive a
 * database that a restore replaces ({@link #open} binds them to the new one's column families).
 * Column families and metadata follow the {@link RocksDbKeyLayout}.
 *
 * <p>Threading: owned by the task thread, which opens, reopens and closes the database. Full
 * snapshots read the open database from upload threads ({@link RocksDbFullSnapshot}): they hold the
 * {@link #live()} guard while they do, and {@link #close()} waits for them.
 */
final class RocksDbResources implements AutoCloseable {
  /** Size at which a write batch is written and another begun: bounds the memory one takes. */
  static final int WRITE_BATCH_BYTES = 4 << 20;

  static {
    RocksDB.loadLibrary();
  }

  private final StringAppendOperator listMerge = new StringAppendOperator("");
  // Otherwise RocksDB's defaults. Tried and dropped: no compression (every checkpoint uploads about
  // three times the bytes) together with whole-key bloom filters; the word count without the cache
  // used about a quarter more CPU per record with them.
  private final ColumnFamilyOptions columnOptions =
      new ColumnFamilyOptions().setMergeOperator(listMerge);
  private final DBOptions dbOptions =
      new DBOptions()
          .setCreateIfMissing(true)
          .setCreateMissingColumnFamilies(true)
          .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
          .setKeepLogFileNum(2)
          .setStatsDumpPeriodSec(0)
          .setAvoidFlushDuringShutdown(true);
  // Writes skip the write-ahead log: checkpoints provide durability, and a failed task restores
  // from the last one.
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private final ReadOptions readOptions = new ReadOptions();

  private Path dbPath;
  private RocksDB db;
  private ColumnFamilyHandle metaColumn;
  private Checkpoint checkpoint;
  private final Map<String, RocksDbColumn> columns = new LinkedHashMap<>();
  private boolean closed;

  // Full snapshots read the live database from upload threads: they hold the read lock while they
  // do, close() takes the write lock (after setting closing, which makes them stop early).
  private final ReentrantReadWriteLock liveReads = new ReentrantReadWriteLock();
  private volatile boolean closing;
  private final RocksDbFullSnapshot.Live live =
      new RocksDbFullSnapshot.Live() {
        @Override
        public boolean beginRead() {
          liveReads.readLock().lock();
          if (closing) {
            liveReads.readLock().unlock();
            return false;
          }
          return true;
        }

        @Override
        public void endRead() {
          liveReads.readLock().unlock();
        }

        @Override
        public boolean closing() {
          return closing;
        }
      };

  /** The open database; null while none is. */
  RocksDB db() {
    return db;
  }

  /** Where the open database is. */
  Path dbPath() {
    return dbPath;
  }

  WriteOptions writeOptions() {
    return writeOptions;
  }

  ReadOptions readOptions() {
    return readOptions;
  }

  /** Takes native checkpoints of the open database. */
  Checkpoint checkpoint() {
    return checkpoint;
  }

  /** The guard that keeps the database open while a full snapshot reads it. */
  RocksDbFullSnapshot.Live live() {
    return live;
  }

  /** Every state, in the order they were added. */
  Collection<RocksDbColumn> columns() {
    return columns.values();
  }

  /** The column of a state; null when it has none yet. */
  RocksDbColumn column(String stateName) {
    return columns.get(stateName);
  }

  /** Creates the column family of a state and its metadata entry in the open database. */
  RocksDbColumn addColumn(String stateName, StateKind kind) throws RocksDBException {
    RocksDbColumn column = new RocksDbColumn(stateName, kind, createColumnFamily(stateName, kind));
    columns.put(stateName, column);
    return column;
  }

  private ColumnFamilyHandle createColumnFamily(String stateName, StateKind kind)
      throws RocksDBException {
    ColumnFamilyHandle handle =
        db.createColumnFamily(
            new ColumnFamilyDescriptor(RocksDbKeyLayout.columnName(stateName), columnOptions));
    db.put(
        metaColumn,
        writeOptions,
        RocksDbKeyLayout.metadataKey(stateName),
        RocksDbKeyLayout.metadata(kind));
    return handle;
  }

  /**
   * Opens (creating when absent) the database at {@code path} as the backend's, with every column
   * family in it, and binds the states to their column families; states that the database does not
   * have (registered before a restore) get new ones.
   *
   * @param location where the database came from, for messages; null for a fresh one
   */
  void open(Path path, String location) throws RocksDBException, IOException {
    List<byte[]> names = listColumns(path);
    List<ColumnFamilyHandle> handles = new ArrayList<>(names.size());
    db = RocksDB.open(dbOptions, path.toString(), descriptors(names), handles);
    dbPath = path;
    metaColumn = metaColumn(names, handles);
    for (int i = 0; i < names.size(); i++) {
      String stateName = RocksDbKeyLayout.stateName(names.get(i));
      if (stateName == null) {
        continue;
      }
      StateKind kind = readKind(db, metaColumn, stateName, location);
      RocksDbColumn column = columns.get(stateName);
      if (column == null) {
        columns.put(stateName, new RocksDbColumn(stateName, kind, handles.get(i)));
      } else {
        StateKind.requireSame(stateName, column.kind, kind);
        column.bind(handles.get(i));
      }
    }
    for (RocksDbColumn column : columns.values()) {
      if (column.handle == null) {
        column.bind(createColumnFamily(column.name, column.kind));
      }
    }
    checkpoint = Checkpoint.create(db);
  }

  /**
   * Opens the database of a downloaded snapshot read-only, with all its column families.
   *
   * @param names its column families ({@link #listColumns})
   * @param handles receives the handles, in the order of {@code names}; the caller closes them
   */
  RocksDB openReadOnly(Path path, List<byte[]> names, List<ColumnFamilyHandle> handles)
      throws RocksDBException {
    return RocksDB.openReadOnly(dbOptions, path.toString(), descriptors(names), handles);
  }

  private List<ColumnFamilyDescriptor> descriptors(List<byte[]> names) {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(names.size());
    for (byte[] name : names) {
      descriptors.add(new ColumnFamilyDescriptor(name, columnOptions));
    }
    return descriptors;
  }

  /**
   * Options for table files that match the states' column families, compressed with LZ4 rather than
   * their Snappy: cheaper on blocks that do not compress (the import thread's CPU in RescaleBench
   * was ~15-25% lower in the runs measured); a compaction rewrites such files with the column
   * family's compression. The caller closes them.
   */
  Options tableOptions() {
    return new Options(dbOptions, columnOptions)
        .setCompressionType(CompressionType.LZ4_COMPRESSION);
  }

  /** The column families of the database at {@code path}; only the default one when it has none. */
  static List<byte[]> listColumns(Path path) throws RocksDBException {
    if (!Files.exists(path.resolve("CURRENT"))) {
      return List.of(RocksDB.DEFAULT_COLUMN_FAMILY);
    }
    try (Options options = new Options()) {
      return RocksDB.listColumnFamilies(options, path.toString());
    }
  }

  /** The handle of the default (metadata) column family among {@code handles}. */
  static ColumnFamilyHandle metaColumn(List<byte[]> names, List<ColumnFamilyHandle> handles) {
    for (int i = 0; i < names.size(); i++) {
      if (RocksDbKeyLayout.stateName(names.get(i)) == null) {
        return handles.get(i);
      }
    }
    throw new IllegalStateException("no default column family");
  }

  /** The kind a database's metadata records for a state. */
  static StateKind readKind(RocksDB source, ColumnFamilyHandle meta, String name, String location)
      throws RocksDBException, StateRestoreException {
    return RocksDbKeyLayout.kindOf(
        source.get(meta, RocksDbKeyLayout.metadataKey(name)), name, location);
  }

  /** Live data plus memtables of every state, as RocksDB estimates them; 0 when it cannot tell. */
  long estimatedSizeBytes() {
    long bytes = 0;
    try {
      for (RocksDbColumn column : columns.values()) {
        bytes += db.getLongProperty(column.handle, "rocksdb.estimate-live-data-size");
        bytes += db.getLongProperty(column.handle, "rocksdb.cur-size-all-mem-tables");
      }
    } catch (RocksDBException e) {
      return 0;
    }
    return bytes;
  }

  /** Closes the open database and its handles; the states stay, unbound, for {@link #open}. */
  void closeDb() {
    if (checkpoint != null) {
      checkpoint.close();
      checkpoint = null;
    }
    for (RocksDbColumn column : columns.values()) {
      if (column.handle != null) {
        column.handle.close();
        column.bind(null);
      }
    }
    if (metaColumn != null) {
      metaColumn.close();
      metaColumn = null;
    }
    if (db != null) {
      db.close();
      db = null;
    }
  }

  /**
   * Closes the database and every option object, once full snapshots reading the database stopped
   * (they stop at their next key group). Files stay on disk.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    liveReads.writeLock().lock();
    try {
      closeDb();
      columnOptions.close();
      listMerge.close();
      dbOptions.close();
      writeOptions.close();
      readOptions.close();
    } finally {
      liveReads.writeLock().unlock();
    }
  }
}
