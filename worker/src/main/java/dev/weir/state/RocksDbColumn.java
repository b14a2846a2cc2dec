package dev.weir.state;

import org.rocksdb.ColumnFamilyHandle;

/**
 * One state of the RocksDB backend: its column family and kind. The handle is replaced when a
 * restore reopens the database, so state objects created before the restore keep working. Owned by
 * the task thread.
 */
final class RocksDbColumn {
  final String name;
  final StateKind kind;
  ColumnFamilyHandle handle;

  RocksDbColumn(String name, StateKind kind, ColumnFamilyHandle handle) {
    this.name = name;
    this.kind = kind;
    this.handle = handle;
  }
}
