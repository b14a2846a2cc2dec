package dev.weir.state;

import dev.weir.api.Codec;
import java.nio.file.Path;

/** Creates {@link RocksDbKeyedStateBackend}s. Stateless and thread-safe. */
public final class RocksDbKeyedStateBackendFactory implements KeyedStateBackendFactory {
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
        operatorUid, subtaskIndex, keyGroupRange, maxParallelism, keyCodec, workDir);
  }
}
