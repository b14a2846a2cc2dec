package dev.weir.state.rocksdb;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.state.KeyedStateBackendContract;
import dev.weir.state.KeyedStateBackendFactory;
import java.util.List;
import java.util.Set;

/**
 * The backend contract for the RocksDB backend with a value cache of two entries: nearly every
 * access evicts, so the contract also holds for values that move between the cache and RocksDB.
 */
class RocksDbKeyedStateBackendTinyCacheIT extends KeyedStateBackendContract {

  @Override
  protected KeyedStateBackendFactory factory() {
    return new RocksDbKeyedStateBackendFactory(2);
  }

  @Override
  protected double allowedBytesPerValueAccess() {
    return 256; // almost every access misses, and caching a key allocates its entry
  }

  @Override
  protected Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles) throws Exception {
    return RocksDbKeyedStateBackendIT.keyGroupsInRocksDbSnapshot(handles, storage, tempDir);
  }
}
