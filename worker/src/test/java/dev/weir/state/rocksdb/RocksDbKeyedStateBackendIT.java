package dev.weir.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.ListState;
import dev.weir.api.ReducingState;
import dev.weir.api.ValueState;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.InMemoryCheckpointStorage;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateBackendContract;
import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.format.CanonicalSnapshotFormat;
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
 * The backend contract for the RocksDB backend with its default value cache (real RocksDB, real
 * files), plus its native checkpoint files and the cache's write-back. Single-threaded.
 */
class RocksDbKeyedStateBackendIT extends KeyedStateBackendContract {

  @Override
  protected KeyedStateBackendFactory factory() {
    return new RocksDbKeyedStateBackendFactory();
  }

  @Override
  protected double allowedBytesPerValueAccess() {
    return 8; // buffers are reused; the JNI calls copy into native memory
  }

  @Override
  protected Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles) throws Exception {
    return keyGroupsInRocksDbSnapshot(handles, storage, tempDir);
  }

  /** Opens the uploaded checkpoint read-only and collects the key group of every state entry. */
  static Set<Integer> keyGroupsInRocksDbSnapshot(
      List<KeyedStateHandle> handles, InMemoryCheckpointStorage storage, Path tempDir)
      throws Exception {
    Set<Integer> keyGroups = new TreeSet<>();
    int n = 0;
    for (KeyedStateHandle handle : handles) {
      if (handle.getBackend().equals(CanonicalSnapshotFormat.BACKEND_ID)) {
        keyGroups.addAll(keyGroupsInKeyGroupFiles(List.of(handle), storage, tempDir));
        continue;
      }
      Path dir = Files.createTempDirectory(tempDir, "inspect-" + n++);
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
  void aBackendStartsEmptyBesideTheDatabaseAKilledPredecessorLeftInItsWorkDirectory()
      throws Exception {
    // what a worker SIGKILLed with the same work directory leaves: the state's column family is in
    // the MANIFEST, its metadata entry (written without a write-ahead log) is not
    Path leftover = workDirOf(0).resolve("db-1");
    Files.createDirectories(leftover);
    try (ColumnFamilyOptions columnOptions = new ColumnFamilyOptions();
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true)) {
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db =
          RocksDB.open(
              dbOptions,
              leftover.toString(),
              List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions)),
              handles)) {
        handles.add(
            db.createColumnFamily(
                new ColumnFamilyDescriptor(RocksDbKeyLayout.columnName("count"), columnOptions)));
        handles.forEach(ColumnFamilyHandle::close);
      }
    }

    KeyedStateBackend backend = backend(ALL);
    ValueState<Long> count = backend.getState(COUNT);
    select(backend, "user-1");

    assertThat(count.value()).isNull();
    count.update(1L);
    assertThat(count.value()).isEqualTo(1L);
  }

  @Test
  void aFullCheckpointIsOneCanonicalFileWithSizeAndChecksum() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys(100));
    List<KeyedStateHandle> handles = snapshotAndUpload(backend, 1);

    assertThat(handles).hasSize(1);
    KeyedStateHandle handle = handles.get(0);
    assertThat(handle.getBackend()).isEqualTo(CanonicalSnapshotFormat.BACKEND_ID);
    assertThat(handle.getFilesList()).hasSize(1);
    StateFile file = handle.getFiles(0);
    assertThat(file.getPath()).endsWith("/" + CanonicalSnapshotFormat.FILE_NAME);
    byte[] bytes = storage.read(file.getPath());
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes);
    assertThat(file.getSize()).isEqualTo(bytes.length);
    assertThat(file.getCrc32C()).isEqualTo((int) crc.getValue());
  }

  @Test
  void aSnapshotUploadedAfterItsBackendClosedFailsCleanlyAndDiscardingOneIsHarmless()
      throws Exception {
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys(1_000));
    KeyedStateBackend.KeyedSnapshot uploadLater = backend.snapshot(1, storage, "job/chk-1/op/0");
    KeyedStateBackend.KeyedSnapshot discardLater = backend.snapshot(2, storage, "job/chk-2/op/0");
    backend.close();

    assertThatThrownBy(uploadLater::upload)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    discardLater.discard();
    assertThat(storage.list("job/")).isEmpty();
  }

  @Test
  void closingWhileASnapshotIsUploadedWaitsForItOrStopsIt() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys(20_000));
    KeyedStateBackend.KeyedSnapshot snapshot = backend.snapshot(1, storage, "job/chk-1/op/0");
    java.util.concurrent.CompletableFuture<Object> upload =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return snapshot.upload();
              } catch (Exception e) {
                return e;
              }
            });
    backend.close(); // must not free the database under the upload thread's iterators

    Object outcome = upload.get(1, java.util.concurrent.TimeUnit.MINUTES);
    if (outcome instanceof Exception e) {
      assertThat(e).hasMessageContaining("closed");
    } else {
      assertThat(outcome).asList().hasSize(1);
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

  // ---- the value cache

  private RocksDbKeyedStateBackend backendWithCache(int entries) throws Exception {
    return (RocksDbKeyedStateBackend) backend(ALL, new RocksDbKeyedStateBackendFactory(entries));
  }

  @Test
  void snapshotIncludesWritesStillInTheCache() throws Exception {
    RocksDbKeyedStateBackend backend = backendWithCache(1_000);
    ValueState<Long> count = backend.getState(COUNT);
    ReducingState<Long> sum = backend.getReducingState(SUM);
    List<String> keys = keys(100);
    for (int i = 0; i < keys.size(); i++) {
      select(backend, keys.get(i));
      count.update((long) i);
      sum.add((long) i);
      sum.add(1L);
    }
    assertThat(backend.cache().dirtyCount()).isEqualTo(200); // nothing reached RocksDB yet

    List<KeyedStateHandle> handles = snapshotAndUpload(backend, 1);
    assertThat(backend.cache().dirtyCount()).isZero();
    assertThat(backend.cache().size()).isEqualTo(200); // still cached, now clean

    KeyedStateBackend restored = backend(ALL);
    restored.restore(handles, storage);
    for (int i = 0; i < keys.size(); i++) {
      select(restored, keys.get(i));
      assertThat(restored.getState(COUNT).value()).isEqualTo(i);
      assertThat(restored.getReducingState(SUM).get()).isEqualTo(i + 1L);
    }
  }

  @Test
  void writesAfterSnapshotAreNotInIt() throws Exception {
    RocksDbKeyedStateBackend backend = backendWithCache(1_000);
    ValueState<Long> count = backend.getState(COUNT);
    select(backend, "alice");
    count.update(1L);
    select(backend, "bob");
    count.update(1L);
    KeyedStateBackend.KeyedSnapshot first = backend.snapshot(1, storage, "job/chk-1/op/0");

    select(backend, "alice");
    count.update(2L); // the clean cached entry becomes dirty again
    select(backend, "bob");
    count.clear();
    select(backend, "carol");
    count.update(3L);
    KeyedStateBackend.KeyedSnapshot second = backend.snapshot(2, storage, "job/chk-2/op/0");
    select(backend, "alice");
    count.update(4L);
    List<KeyedStateHandle> secondHandles = second.upload();
    List<KeyedStateHandle> firstHandles = first.upload();

    KeyedStateBackend fromFirst = backend(ALL);
    fromFirst.restore(firstHandles, storage);
    assertThat(values(fromFirst, "alice", "bob", "carol")).containsExactly(1L, 1L, null);
    KeyedStateBackend fromSecond = backend(ALL);
    fromSecond.restore(secondHandles, storage);
    assertThat(values(fromSecond, "alice", "bob", "carol")).containsExactly(2L, null, 3L);
    assertThat(values(backend, "alice", "bob", "carol")).containsExactly(4L, null, 3L);
  }

  private static List<Long> values(KeyedStateBackend backend, String... keys) {
    List<Long> values = new ArrayList<>();
    for (String key : keys) {
      select(backend, key);
      values.add(backend.getState(COUNT).value());
    }
    return values;
  }

  @Test
  void evictedDirtyEntriesAreWrittenBack() throws Exception {
    RocksDbKeyedStateBackend backend = backendWithCache(10);
    ValueState<Long> count = backend.getState(COUNT);
    ReducingState<Long> sum = backend.getReducingState(SUM);
    List<String> keys = keys(1_000);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < keys.size(); i++) {
        select(backend, keys.get(i));
        count.update((long) (i + round));
        sum.add((long) i);
      }
    }
    assertThat(backend.cache().size()).isEqualTo(10);

    for (int i = 0; i < keys.size(); i++) { // read back from RocksDB, evicting the last ten
      select(backend, keys.get(i));
      assertThat(count.value()).isEqualTo(i + 2L);
      assertThat(sum.get()).isEqualTo(3L * i);
    }
    KeyedStateBackend restored = backend(ALL);
    restored.restore(snapshotAndUpload(backend, 1), storage);
    for (int i = 0; i < keys.size(); i++) {
      select(restored, keys.get(i));
      assertThat(restored.getState(COUNT).value()).isEqualTo(i + 2L);
      assertThat(restored.getReducingState(SUM).get()).isEqualTo(3L * i);
    }
  }

  @Test
  void clearedKeysAreDeletedFromRocksDbWhenEvictedAndAtSnapshot() throws Exception {
    RocksDbKeyedStateBackend backend = backendWithCache(2);
    ValueState<Long> count = backend.getState(COUNT);
    for (String key : List.of("a", "b", "c")) {
      select(backend, key);
      count.update(1L);
    }
    snapshotAndUpload(backend, 1); // now all three are in RocksDB

    select(backend, "a");
    count.clear();
    for (String key : List.of("d", "e")) { // evicts the cleared "a"
      select(backend, key);
      count.value();
    }
    select(backend, "b");
    count.update(null); // stays cached until the snapshot

    assertThat(values(backend, "a", "b", "c")).containsExactly(null, null, 1L);
    KeyedStateBackend restored = backend(ALL);
    restored.restore(snapshotAndUpload(backend, 2), storage);
    assertThat(values(restored, "a", "b", "c", "d")).containsExactly(null, null, 1L, null);
  }

  @Test
  void restoreStartsWithAnEmptyCache() throws Exception {
    KeyedStateBackend original = backend(ALL);
    select(original, "alice");
    original.getState(COUNT).update(5L);
    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);

    RocksDbKeyedStateBackend restored = backendWithCache(100);
    ValueState<Long> count = restored.getState(COUNT);
    select(restored, "alice");
    count.update(99L); // written before the restore: not part of the restored state
    select(restored, "bob");
    count.value();
    restored.restore(handles, storage);

    assertThat(restored.cache().size()).isZero();
    assertThat(values(restored, "alice", "bob")).containsExactly(5L, null);
  }

  @Test
  void listAndMapStatesBypassTheCache() throws Exception {
    RocksDbKeyedStateBackend backend = backendWithCache(100);
    fill(backend, keys(10));
    assertThat(backend.cache().size()).isEqualTo(20); // count and sum of ten keys
  }

  @Test
  void withoutACacheEveryAccessGoesToRocksDb() throws Exception {
    RocksDbKeyedStateBackend backend = backendWithCache(0);
    assertThat(backend.cache()).isNull();
    fill(backend, keys(10));
    KeyedStateBackend restored = backend(ALL);
    restored.restore(snapshotAndUpload(backend, 1), storage);
    assertFilled(restored, "user-3", 3);
  }
}
