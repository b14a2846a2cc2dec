package dev.weir.state.rocksdb;

import dev.weir.state.StateKind;
import org.rocksdb.ColumnFamilyHandle;

/**
 * One state of the RocksDB backend: its column family and kind. The handle is replaced when a
 * restore reopens the database, so state objects created before the restore keep working. Owned by
 * the task thread.
 */
final class RocksDbColumn {
  final String name;
  final StateKind kind;

  /**
   * Mixed into the bucket of this state's entries in the {@link RocksDbValueCache}, so that one key
   * used in several states does not pile its entries into one bucket.
   */
  final int cacheSalt;

  /** Null while the database is closed. */
  ColumnFamilyHandle handle;

  /** The column family's id in the database, for {@link RocksDbWriteBatchBuilder}. */
  int columnFamilyId;

  RocksDbColumn(String name, StateKind kind, ColumnFamilyHandle handle) {
    this.name = name;
    this.kind = kind;
    this.cacheSalt = name.hashCode() * 0x9E3779B9;
    bind(handle);
  }

  /** Binds this state to its column family in a (re)opened database; null when it closes. */
  void bind(ColumnFamilyHandle handle) {
    this.handle = handle;
    this.columnFamilyId = handle == null ? -1 : handle.getID();
  }
}
