package dev.weir.state.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codecs;
import dev.weir.codec.ByteArrayReader;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateBackendContract;
import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.StateBackendKind;
import dev.weir.state.StateRestoreException;
import dev.weir.state.backends.KeyedStateBackends;
import dev.weir.state.format.HeapSnapshotFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The backend contract for the heap backend, plus its snapshot file format. Single-threaded. */
class HeapKeyedStateBackendTest extends KeyedStateBackendContract {

  @Override
  protected KeyedStateBackendFactory factory() {
    return KeyedStateBackends.forKind(StateBackendKind.HEAP);
  }

  @Override
  protected double allowedBytesPerValueAccess() {
    return 1; // nothing: existing entries are replaced in place
  }

  @Override
  protected Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles) throws Exception {
    return keyGroupsInKeyGroupFiles(handles, storage, tempDir);
  }

  @Test
  void theSnapshotIsOneFileStartingWithMagicAndVersion() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys(10));
    List<KeyedStateHandle> handles = snapshotAndUpload(backend, 1);

    assertThat(handles).hasSize(1);
    assertThat(handles.get(0).getBackend()).isEqualTo("heap");
    assertThat(handles.get(0).getFilesList()).hasSize(1);
    StateFile file = handles.get(0).getFiles(0);
    assertThat(file.getPath()).endsWith("/" + HeapSnapshotFormat.FILE_NAME);
    byte[] bytes = storage.read(file.getPath());
    assertThat(bytes.length).isEqualTo(file.getSize());
    ByteArrayReader in = new ByteArrayReader(bytes, 0, bytes.length);
    assertThat(in.readInt()).isEqualTo(HeapSnapshotFormat.MAGIC);
    assertThat(in.readInt()).isEqualTo(HeapSnapshotFormat.VERSION);
    assertThat(in.readInt()).isEqualTo(MAX_PARALLELISM);
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    assertThat(file.getCrc32C()).isEqualTo((int) crc.getValue());
  }

  @Test
  void restoreFailsNamingTheFileWhenItsContentIsCutShortEvenIfTheChecksumMatches()
      throws Exception {
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys(100));
    KeyedStateHandle handle = snapshotAndUpload(backend, 1).get(0);
    String path = handle.getFiles(0).getPath();
    byte[] cut = Arrays.copyOf(storage.read(path), storage.size(path) / 2);
    storage.write(path, cut);
    KeyedStateHandle matching = rewriteChecksum(handle, cut);

    KeyedStateBackend restored = backend(ALL);
    assertThatThrownBy(() -> restored.restore(List.of(matching), storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(storage.describe(path))
        .hasMessageContaining("truncated");
  }

  @Test
  void restoreFailsNamingTheFileWhenItIsNotAHeapSnapshot() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    KeyedStateHandle handle = snapshotAndUpload(backend, 1).get(0);
    String path = handle.getFiles(0).getPath();
    byte[] garbage = "definitely not a snapshot".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    storage.write(path, garbage);

    KeyedStateBackend restored = backend(ALL);
    assertThatThrownBy(() -> restored.restore(List.of(rewriteChecksum(handle, garbage)), storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(storage.describe(path))
        .hasMessageContaining("not a heap snapshot");
  }

  @Test
  void restoreRefusesASnapshotOfAnotherFormatVersion() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    KeyedStateHandle handle = snapshotAndUpload(backend, 1).get(0);
    String path = handle.getFiles(0).getPath();
    byte[] bytes = storage.read(path);
    bytes[7] = 99; // version int, big-endian
    storage.write(path, bytes);

    KeyedStateBackend restored = backend(ALL);
    assertThatThrownBy(() -> restored.restore(List.of(rewriteChecksum(handle, bytes)), storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(storage.describe(path))
        .hasMessageContaining("version 99");
  }

  @Test
  void restoreRefusesASnapshotWrittenWithAnotherMaxParallelism() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys(10));
    List<KeyedStateHandle> handles = snapshotAndUpload(backend, 1);

    KeyedStateBackend wider =
        factory()
            .create("op", 0, KeyGroupRange.of(0, 255), 256, Codecs.STRING, tempDir.resolve("w"));
    try {
      assertThatThrownBy(() -> wider.restore(handles, storage))
          .isInstanceOf(StateRestoreException.class)
          .hasMessageContaining("maxParallelism 128");
    } finally {
      wider.close();
    }
  }

  private static KeyedStateHandle rewriteChecksum(KeyedStateHandle handle, byte[] content) {
    CRC32C crc = new CRC32C();
    crc.update(content);
    StateFile file =
        handle.getFiles(0).toBuilder()
            .setSize(content.length)
            .setCrc32C((int) crc.getValue())
            .build();
    return handle.toBuilder().setFiles(0, file).build();
  }
}
