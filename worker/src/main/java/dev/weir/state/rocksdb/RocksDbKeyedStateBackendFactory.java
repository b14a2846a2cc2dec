package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackendFactory;
import java.nio.file.Path;

/**
 * Creates {@link RocksDbKeyedStateBackend}s, each with its own {@link RocksDbValueCache} of {@link
 * #cacheEntries()} entries. Immutable and thread-safe.
 */
public final class RocksDbKeyedStateBackendFactory implements KeyedStateBackendFactory {
  /**
   * Default capacity of each backend's value cache: 262,144 entries, about 64 MiB of heap if an
   * entry (key copy, value object, bookkeeping) takes 256 bytes. Small values such as counters take
   * less; large values more, so jobs with large values should lower it.
   */
  public static final int DEFAULT_CACHE_ENTRIES = 1 << 18;

  /**
   * System property that overrides {@link #DEFAULT_CACHE_ENTRIES} for the factory {@code
   * KeyedStateBackends.forKind} returns, e.g. {@code -Dweir.rocksdb.cacheEntries=0} to turn the
   * cache off.
   */
  public static final String CACHE_ENTRIES_PROPERTY = "weir.rocksdb.cacheEntries";

  private final int cacheEntries;
  private final String sharedDirectory;

  /** A factory of backends with {@link #DEFAULT_CACHE_ENTRIES} cached entries each. */
  public RocksDbKeyedStateBackendFactory() {
    this(DEFAULT_CACHE_ENTRIES);
  }

  /**
   * @param cacheEntries the value cache capacity of every backend created, in entries (keys of one
   *     value or reducing state); 0 sends every access straight to RocksDB
   */
  public RocksDbKeyedStateBackendFactory(int cacheEntries) {
    this(cacheEntries, null);
  }

  private RocksDbKeyedStateBackendFactory(int cacheEntries, String sharedDirectory) {
    if (cacheEntries < 0) {
      throw new IllegalArgumentException("cacheEntries must not be negative: " + cacheEntries);
    }
    this.cacheEntries = cacheEntries;
    this.sharedDirectory = sharedDirectory;
  }

  /**
   * This factory's settings with incremental checkpoints: backends upload only table files that
   * their last completed checkpoint does not have, to {@code sharedDirectory} (the job's {@code
   * <jobId>/shared/}), where the coordinator counts references to them.
   */
  public RocksDbKeyedStateBackendFactory withIncrementalCheckpoints(String sharedDirectory) {
    return new RocksDbKeyedStateBackendFactory(
        cacheEntries, java.util.Objects.requireNonNull(sharedDirectory, "sharedDirectory"));
  }

  /** Whether backends take incremental checkpoints. */
  public boolean incremental() {
    return sharedDirectory != null;
  }

  /**
   * A factory configured by {@value #CACHE_ENTRIES_PROPERTY} when that system property is set,
   * otherwise with the default.
   *
   * @throws IllegalArgumentException when the property is not a non-negative integer
   */
  public static RocksDbKeyedStateBackendFactory fromSystemProperties() {
    String value = System.getProperty(CACHE_ENTRIES_PROPERTY);
    if (value == null || value.isBlank()) {
      return new RocksDbKeyedStateBackendFactory();
    }
    int entries;
    try {
      entries = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      entries = -1;
    }
    if (entries < 0) {
      throw new IllegalArgumentException(
          CACHE_ENTRIES_PROPERTY + " must be a non-negative integer: '" + value + "'");
    }
    return new RocksDbKeyedStateBackendFactory(entries);
  }

  public int cacheEntries() {
    return cacheEntries;
  }

  @Override
  public RocksDbKeyedStateBackend create(
      String operatorUid,
      int subtaskIndex,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      Codec<?> keyCodec,
      Path workDir)
      throws Exception {
    return new RocksDbKeyedStateBackend(
        operatorUid,
        subtaskIndex,
        keyGroupRange,
        maxParallelism,
        keyCodec,
        workDir,
        cacheEntries,
        sharedDirectory);
  }
}
