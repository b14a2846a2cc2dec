package dev.weir.state.backends;

import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.StateBackendKind;
import dev.weir.state.heap.HeapKeyedStateBackendFactory;
import dev.weir.state.rocksdb.RocksDbKeyedStateBackendFactory;
import java.util.Objects;

/**
 * The keyed state backend factory of each {@link StateBackendKind}. In a package of its own above
 * {@code heap} and {@code rocksdb}, so that the contracts in {@code dev.weir.state} import neither
 * implementation. Stateless.
 */
public final class KeyedStateBackends {
  private KeyedStateBackends() {}

  /**
   * The factory of a kind with its default settings; for RocksDB, the value cache capacity can be
   * overridden by a system property ({@link RocksDbKeyedStateBackendFactory#fromSystemProperties}).
   */
  public static KeyedStateBackendFactory forKind(StateBackendKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case HEAP -> new HeapKeyedStateBackendFactory();
      case ROCKSDB -> RocksDbKeyedStateBackendFactory.fromSystemProperties();
    };
  }

  /**
   * The factory of a kind, as {@link #forKind(StateBackendKind)}, with incremental checkpoints when
   * {@code incrementalSharedDirectory} is not null (RocksDB only).
   *
   * @param incrementalSharedDirectory the job's {@code <jobId>/shared/} directory, or null for full
   *     checkpoints
   * @throws IllegalArgumentException for incremental checkpoints with the heap backend
   */
  public static KeyedStateBackendFactory forKind(
      StateBackendKind kind, String incrementalSharedDirectory) {
    if (incrementalSharedDirectory == null) {
      return forKind(kind);
    }
    if (kind != StateBackendKind.ROCKSDB) {
      throw new IllegalArgumentException(
          "incremental checkpoints need the rocksdb state backend, not " + kind.id());
    }
    return RocksDbKeyedStateBackendFactory.fromSystemProperties()
        .withIncrementalCheckpoints(incrementalSharedDirectory);
  }
}
