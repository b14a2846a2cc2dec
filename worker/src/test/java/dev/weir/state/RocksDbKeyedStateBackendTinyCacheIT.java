package dev.weir.state;

import dev.weir.proto.KeyedStateHandle;
import java.util.List;
import java.util.Set;

/**
 * The backend contract for the RocksDB backend with a value cache of two entries: nearly every
 * access evicts, so the contract also holds for values that move between the cache and RocksDB.
 */
class RocksDbKeyedStateBackendTinyCacheIT extends KeyedStateBackendContract {

  @Override
  KeyedStateBackendFactory factory() {
    return new RocksDbKeyedStateBackendFactory(2);
  }

  @Override
  double allowedBytesPerValueAccess() {
    return 256; // almost every access misses, and caching a key allocates its entry
  }

  @Override
  Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles) throws Exception {
    return RocksDbKeyedStateBackendIT.keyGroupsInRocksDbSnapshot(handles, storage, tempDir);
  }
}
