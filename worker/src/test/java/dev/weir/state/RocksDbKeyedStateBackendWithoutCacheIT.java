package dev.weir.state;

import dev.weir.proto.KeyedStateHandle;
import java.util.List;
import java.util.Set;

/** The backend contract for the RocksDB backend with its value cache turned off. */
class RocksDbKeyedStateBackendWithoutCacheIT extends KeyedStateBackendContract {

  @Override
  KeyedStateBackendFactory factory() {
    return new RocksDbKeyedStateBackendFactory(0);
  }

  @Override
  double allowedBytesPerValueAccess() {
    return 8; // buffers are reused; the JNI calls copy into native memory
  }

  @Override
  Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles) throws Exception {
    return RocksDbKeyedStateBackendIT.keyGroupsInRocksDbSnapshot(handles, storage, tempDir);
  }
}
