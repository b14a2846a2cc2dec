package dev.weir.state.rocksdb;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.state.KeyedStateBackendContract;
import dev.weir.state.KeyedStateBackendFactory;
import java.util.List;
import java.util.Set;

/** The backend contract for the RocksDB backend with its value cache turned off. */
class RocksDbKeyedStateBackendWithoutCacheIT extends KeyedStateBackendContract {

  @Override
  protected KeyedStateBackendFactory factory() {
    return new RocksDbKeyedStateBackendFactory(0);
  }

  @Override
  protected double allowedBytesPerValueAccess() {
    return 8; // buffers are reused; the JNI calls copy into native memory
  }

  @Override
  protected Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles) throws Exception {
    return RocksDbKeyedStateBackendIT.keyGroupsInRocksDbSnapshot(handles, storage, tempDir);
  }
}
