package dev.weir.state;

/** Where keyed state lives while a job runs. Immutable. */
public enum StateBackendKind {
  /** Java objects in hash maps; snapshots copy on write. Fastest, bounded by the heap. */
  HEAP("heap"),
  /** RocksDB on local disk, one column family per state. Bounded by the disk. */
  ROCKSDB("rocksdb");

  private final String id;

  StateBackendKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** Parses a manifest value ({@code heap}, {@code hashmap}, {@code rocksdb}); null if unknown. */
  public static StateBackendKind parse(String value) {
    if (value == null) {
      return null;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "heap", "hashmap" -> HEAP;
      case "rocksdb" -> ROCKSDB;
      default -> null;
    };
  }
}
