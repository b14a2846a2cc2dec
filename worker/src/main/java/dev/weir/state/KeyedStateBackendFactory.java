package dev.weir.state;

import dev.weir.api.Codec;
import java.nio.file.Path;

/**
 * Creates the keyed state backend of one subtask of one operator. Implementations are immutable and
 * thread-safe; each backend they create belongs to the task thread that uses it.
 */
public interface KeyedStateBackendFactory {

  /**
   * @param operatorUid the operator's stable id (state is matched to operators by it)
   * @param keyCodec encodes keys for storage; equal keys MUST give equal bytes
   * @param workDir a local directory this backend may use exclusively (RocksDB files, snapshot and
   *     restore scratch files)
   */
  KeyedStateBackend create(
      String operatorUid,
      int subtaskIndex,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      Codec<?> keyCodec,
      Path workDir)
      throws Exception;
}
