package dev.weir.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.api.ListState;
import dev.weir.api.ValueState;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.StringAppendOperator;

/**
 * The backend contract for the RocksDB backend (real RocksDB, real files), plus its native
 * checkpoint files. Single-threaded.
 */
class RocksDbKeyedStateBackendIT extends KeyedStateBackendContract {

  @Override
  KeyedStateBackendFactory factory() {
    return KeyedStateBackends.forKind(StateBackendKind.ROCKSDB);
  }

  @Override
  double allowedBytesPerValueAccess() {
    return 8; // buffers are reused; the JNI calls copy into native memory
  }

  /** Opens the uploaded checkpoint read-only and collects the key group of every state entry. */
  @Override
  Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles) throws Exception {
    Set<Integer> keyGroups = new TreeSet<>();
    int n = 0;
    for (KeyedStateHandle handle : handles) {
      Path dir = Files.createDirectories(tempDir.resolve("inspect-" + n++));
      for (StateFile file : handle.getFilesList()) {
        String name = file.getPath().substring(file.getPath().lastIndexOf('/') + 1);
        storage.download(file.getPath(), dir.resolve(name));
      }
      List<byte[]> names;
      try (Options options = new Options()) {
        names = RocksDB.listColumnFamilies(options, dir.toString());
      }
      try (StringAppendOperator merge = new StringAppendOperator("");
          ColumnFamilyOptions columnOptions = new ColumnFamilyOptions().setMergeOperator(merge);
          DBOptions dbOptions = new DBOptions()) {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (byte[] name : names) {
          descriptors.add(new ColumnFamilyDescriptor(name, columnOptions));
        }
        List<ColumnFamilyHandle> columns = new ArrayList<>();
        try (RocksDB db = RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, columns)) {
          for (int i = 0; i < names.size(); i++) {
            if (!new String(names.get(i), StandardCharsets.UTF_8).startsWith("state/")) {
              continue;
            }
            try (RocksIterator it = db.newIterator(columns.get(i))) {
              for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                keyGroups.add((key[0] & 0xff) << 8 | (key[1] & 0xff));
              }
            }
          }
          columns.forEach(ColumnFamilyHandle::close);
        }
      }
    }
    return keyGroups;
  }

  @Test
  void theSnapshotListsEveryFileOfTheNativeCheckpointWithSizeAndChecksum() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys(100));
    List<KeyedStateHandle> handles = snapshotAndUpload(backend, 1);

    assertThat(handles).hasSize(1);
    KeyedStateHandle handle = handles.get(0);
    assertThat(handle.getBackend()).isEqualTo("rocksdb");
    List<String> names =
        handle.getFilesList().stream()
            .map(f -> f.getPath().substring(f.getPath().lastIndexOf('/') + 1))
            .toList();
    assertThat(names).contains("CURRENT").anyMatch(n -> n.startsWith("MANIFEST-"));
    assertThat(names).anyMatch(n -> n.endsWith(".sst"));
    for (StateFile file : handle.getFilesList()) {
      byte[] bytes = storage.read(file.getPath());
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(bytes);
      assertThat(file.getSize()).isEqualTo(bytes.length);
      assertThat(file.getCrc32C()).isEqualTo((int) crc.getValue());
    }
  }

  @Test
  void listStateAppendedAcrossSnapshotsAndRestoresKeepsEveryElement() throws Exception {
    KeyedStateBackend first = backend(ALL);
    ListState<String> events = first.getListState(EVENTS);
    select(first, "alice");
    events.add(""); // an element that encodes to almost nothing
    events.add("a");
    List<KeyedStateHandle> handles = snapshotAndUpload(first, 1);

    KeyedStateBackend second = backend(ALL);
    second.restore(handles, storage);
    select(second, "alice");
    ListState<String> restoredEvents = second.getListState(EVENTS);
    restoredEvents.add("b"); // merged onto a value that lives in a restored table file
    restoredEvents.addAll(List.of("c", ""));
    assertThat(restoredEvents.get()).containsExactly("", "a", "b", "c", "");
  }

  @Test
  void manyKeysSpillingToTableFilesReadBackAfterRestore() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<String> payload =
        backend.getState(
            new dev.weir.api.StateDescriptor.Value<>("payload", dev.weir.api.Codecs.STRING));
    List<String> keys = keys(50_000);
    String filler = "p".repeat(200);
    for (String key : keys) {
      select(backend, key);
      payload.update(key + filler);
    }
    List<KeyedStateHandle> handles = snapshotAndUpload(backend, 1);

    KeyedStateBackend restored = backend(KeyGroupRange.of(0, 63));
    restored.restore(handles, storage);
    ValueState<String> restoredPayload =
        restored.getState(
            new dev.weir.api.StateDescriptor.Value<>("payload", dev.weir.api.Codecs.STRING));
    int found = 0;
    for (String key : keys) {
      if (keyGroupOf(key) < 64) {
        select(restored, key);
        assertThat(restoredPayload.value()).isEqualTo(key + filler);
        found++;
      }
    }
    assertThat(found).isGreaterThan(20_000);
    assertThat(restored.estimatedSizeBytes()).isPositive();
  }
}
