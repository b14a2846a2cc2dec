package dev.weir.state.heap;

import dev.weir.api.Codec;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackendFactory;
import java.nio.file.Path;

/** Creates {@link HeapKeyedStateBackend}s. Stateless and thread-safe. */
public final class HeapKeyedStateBackendFactory implements KeyedStateBackendFactory {
  @Override
  public HeapKeyedStateBackend create(
      String operatorUid,
      int subtaskIndex,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      Codec<?> keyCodec,
      Path workDir)
      throws Exception {
    return new HeapKeyedStateBackend(
        operatorUid, subtaskIndex, keyGroupRange, maxParallelism, keyCodec, workDir);
  }
}
