package dev.weir.state.format;

import static dev.weir.state.KeyedStateBackendContract.ALL;
import static dev.weir.state.KeyedStateBackendContract.COUNT;
import static dev.weir.state.KeyedStateBackendContract.EVENTS;
import static dev.weir.state.KeyedStateBackendContract.MAX_PARALLELISM;
import static dev.weir.state.KeyedStateBackendContract.PER_PAGE;
import static dev.weir.state.KeyedStateBackendContract.SUM;
import static dev.weir.state.KeyedStateBackendContract.assertFilled;
import static dev.weir.state.KeyedStateBackendContract.fill;
import static dev.weir.state.KeyedStateBackendContract.keyGroupOf;
import static dev.weir.state.KeyedStateBackendContract.keys;
import static dev.weir.state.KeyedStateBackendContract.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codecs;
import dev.weir.api.ListState;
import dev.weir.api.MapState;
import dev.weir.api.ReducingState;
import dev.weir.api.ValueState;
import dev.weir.codec.ByteArrayReader;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.InMemoryCheckpointStorage;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateBackendContract;
import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.SnapshotType;
import dev.weir.state.StateRestoreException;
import dev.weir.state.heap.HeapKeyedStateBackendFactory;
import dev.weir.state.rocksdb.RocksDbKeyedStateBackendFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoints in the {@link CanonicalSnapshotFormat}: written by both backends (real RocksDB), read
 * by both, at other key group ranges than they were written with, byte for byte deterministic.
 */
class CanonicalSavepointIT {
  private static final KeyGroupRange LOWER = KeyGroupRange.of(0, 63);
  private static final KeyGroupRange UPPER = KeyGroupRange.of(64, 127);

  @TempDir Path tempDir;
  private final InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
  private final List<KeyedStateBackend> backends = new ArrayList<>();
  private int created;
  private int savepoints;

  private KeyedStateBackend heap(KeyGroupRange range) throws Exception {
    return create(new HeapKeyedStateBackendFactory(), range);
  }

  private KeyedStateBackend rocksDb(KeyGroupRange range) throws Exception {
    return create(new RocksDbKeyedStateBackendFactory(), range);
  }

  private KeyedStateBackend rocksDbWithoutCache(KeyGroupRange range) throws Exception {
    return create(new RocksDbKeyedStateBackendFactory(0), range);
  }

  private KeyedStateBackend create(KeyedStateBackendFactory factory, KeyGroupRange range)
      throws Exception {
    KeyedStateBackend backend =
        factory.create(
            "op", created, range, MAX_PARALLELISM, Codecs.STRING, tempDir.resolve("b" + created));
    created++;
    backends.add(backend);
    return backend;
  }

  @AfterEach
  void closeBackends() {
    backends.forEach(KeyedStateBackend::close);
  }

  private List<KeyedStateHandle> savepoint(KeyedStateBackend backend) throws Exception {
    int n = ++savepoints;
    return backend
        .snapshot(n, SnapshotType.SAVEPOINT, storage, "job/sp-" + n + "/op/" + n)
        .upload();
  }

  private static List<KeyedStateHandle> concat(List<KeyedStateHandle> a, List<KeyedStateHandle> b) {
    List<KeyedStateHandle> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private byte[] fileOf(List<KeyedStateHandle> handles) throws Exception {
    assertThat(handles).hasSize(1);
    return storage.read(handles.get(0).getFiles(0).getPath());
  }

  private static List<String> owned(KeyGroupRange range, List<String> keys) {
    return keys.stream().filter(k -> range.contains(keyGroupOf(k))).toList();
  }

  /** Checks {@link KeyedStateBackendContract#fill}'s state of every key of {@code range}. */
  private static void assertFilledWithin(KeyedStateBackend backend, List<String> keys) {
    for (int i = 0; i < keys.size(); i++) {
      if (backend.keyGroupRange().contains(keyGroupOf(keys.get(i)))) {
        assertFilled(backend, keys.get(i), i);
      }
    }
  }

  @Test
  void aSavepointIsOneCanonicalFileWithSizeAndChecksum() throws Exception {
    for (KeyedStateBackend backend : List.of(heap(ALL), rocksDb(ALL))) {
      fill(backend, keys(50));
      List<KeyedStateHandle> handles = savepoint(backend);
      assertThat(handles).hasSize(1);
      KeyedStateHandle handle = handles.get(0);
      assertThat(handle.getBackend()).isEqualTo("canonical");
      assertThat(handle.getKeyGroupStart()).isZero();
      assertThat(handle.getKeyGroupEnd()).isEqualTo(127);
      assertThat(handle.getFilesList()).hasSize(1);
      StateFile file = handle.getFiles(0);
      assertThat(file.getPath()).endsWith("/" + CanonicalSnapshotFormat.FILE_NAME);
      byte[] bytes = storage.read(file.getPath());
      assertThat(file.getSize()).isEqualTo(bytes.length);
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      assertThat(file.getCrc32C()).isEqualTo((int) crc.getValue());
      ByteArrayReader in = new ByteArrayReader(bytes, 0, bytes.length);
      assertThat(in.readInt()).isEqualTo(CanonicalSnapshotFormat.MAGIC);
      assertThat(in.readInt()).isEqualTo(CanonicalSnapshotFormat.VERSION);
    }
  }

  @Test
  void aHeapSavepointRestoresIntoRocksDbAndBackWithIdenticalContents() throws Exception {
    List<String> keys = keys(500);
    KeyedStateBackend original = heap(ALL);
    fill(original, keys);
    List<KeyedStateHandle> fromHeap = savepoint(original);

    KeyedStateBackend inRocksDb = rocksDb(ALL);
    inRocksDb.restore(fromHeap, storage);
    assertFilledWithin(inRocksDb, keys);
    select(inRocksDb, "never-written");
    assertThat(inRocksDb.getState(COUNT).value()).isNull();
    assertThat(inRocksDb.getListState(EVENTS).get()).isEmpty();

    KeyedStateBackend backInHeap = heap(ALL);
    backInHeap.restore(savepoint(inRocksDb), storage);
    assertFilledWithin(backInHeap, keys);
    assertThat(fileOf(savepoint(backInHeap))).isEqualTo(fileOf(fromHeap));
  }

  @Test
  void aRocksDbSavepointRestoresIntoHeapAndBackWithIdenticalContents() throws Exception {
    List<String> keys = keys(500);
    KeyedStateBackend original = rocksDbWithoutCache(ALL);
    fill(original, keys);
    List<KeyedStateHandle> fromRocksDb = savepoint(original);

    KeyedStateBackend inHeap = heap(ALL);
    inHeap.restore(fromRocksDb, storage);
    assertFilledWithin(inHeap, keys);

    KeyedStateBackend backInRocksDb = rocksDb(ALL);
    backInRocksDb.restore(savepoint(inHeap), storage);
    assertFilledWithin(backInRocksDb, keys);
    assertThat(fileOf(savepoint(backInRocksDb))).isEqualTo(fileOf(fromRocksDb));
  }

  @Test
  void aHeapSavepointSplitsIntoTwoRocksDbBackendsThatMergeBackIntoOneHeap() throws Exception {
    splitAndMerge(this::heap, this::rocksDb);
  }

  @Test
  void aRocksDbSavepointSplitsIntoTwoHeapBackendsThatMergeBackIntoOneRocksDb() throws Exception {
    splitAndMerge(this::rocksDb, this::heap);
  }

  private interface BackendMaker {
    KeyedStateBackend create(KeyGroupRange range) throws Exception;
  }

  /**
   * Scale out and in through savepoints: a backend of {@code one} kind covering every key group,
   * two of the {@code other} kind covering half each, then one of the first kind again.
   */
  private void splitAndMerge(BackendMaker one, BackendMaker other) throws Exception {
    List<String> keys = keys(400);
    KeyedStateBackend original = one.create(ALL);
    fill(original, keys);
    List<KeyedStateHandle> whole = savepoint(original);

    KeyedStateBackend lower = other.create(LOWER);
    lower.restore(whole, storage);
    KeyedStateBackend upper = other.create(UPPER);
    upper.restore(whole, storage);
    assertFilledWithin(lower, keys);
    assertFilledWithin(upper, keys);
    List<KeyedStateHandle> lowerHandles = savepoint(lower);
    List<KeyedStateHandle> upperHandles = savepoint(upper);
    assertThat(keyGroupsIn(lowerHandles)).isNotEmpty().allMatch(LOWER::contains);
    assertThat(keyGroupsIn(upperHandles)).isNotEmpty().allMatch(UPPER::contains);

    KeyedStateBackend merged = one.create(ALL);
    merged.restore(concat(lowerHandles, upperHandles), storage);
    assertFilledWithin(merged, keys);
    assertThat(fileOf(savepoint(merged))).isEqualTo(fileOf(whole));
  }

  @Test
  void backendsHoldingTheSameStateWriteByteIdenticalSortedFiles() throws Exception {
    List<String> keys = keys(300);
    KeyedStateBackend heapForward = heap(ALL);
    fillInOrder(heapForward, keys, false);
    KeyedStateBackend heapBackward = heap(ALL);
    fillInOrder(heapBackward, keys, true);
    KeyedStateBackend rocksForward = rocksDb(ALL);
    fillInOrder(rocksForward, keys, false);
    KeyedStateBackend rocksBackward = rocksDbWithoutCache(ALL);
    fillInOrder(rocksBackward, keys, true);

    byte[] expected = fileOf(savepoint(heapForward));
    assertThat(fileOf(savepoint(heapBackward))).isEqualTo(expected);
    assertThat(fileOf(savepoint(rocksForward))).isEqualTo(expected);
    assertThat(fileOf(savepoint(rocksBackward))).isEqualTo(expected);
    assertSorted(expected);
  }

  /**
   * Keys of different lengths (so RocksDB's length-prefixed key order is not byte order), map user
   * keys inserted out of order, in one of two orders of keys.
   */
  private static void fillInOrder(KeyedStateBackend backend, List<String> keys, boolean backward) {
    ValueState<Long> count = backend.getState(COUNT);
    ListState<String> events = backend.getListState(EVENTS);
    MapState<String, Long> perPage = backend.getMapState(PER_PAGE);
    ReducingState<Long> sum = backend.getReducingState(SUM);
    for (int n = 0; n < keys.size(); n++) {
      int i = backward ? keys.size() - 1 - n : n;
      select(backend, keys.get(i));
      count.update((long) i);
      events.add("e" + i);
      events.add("f" + i);
      String[] pages = {"/zz" + i, "/a", "/b" + (i % 7), "/" + "x".repeat(i % 5)};
      for (int p = 0; p < pages.length; p++) {
        int page = backward ? pages.length - 1 - p : p;
        perPage.put(pages[page], (long) page * i);
      }
      sum.add((long) i);
    }
  }

  /** States by name and entries by key bytes within every key group, blocks by key group. */
  private static void assertSorted(byte[] file) {
    ByteArrayReader in = new ByteArrayReader(file, 0, file.length);
    in.skip(20);
    int previousGroup = -1;
    int blocks = 0;
    for (int group = in.readInt(); group != -1; group = in.readInt()) {
      assertThat(group).isGreaterThan(previousGroup);
      previousGroup = group;
      blocks++;
      in.readInt(); // length
      int states = in.readInt();
      String previousName = null;
      for (int s = 0; s < states; s++) {
        String name = in.readString();
        if (previousName != null) {
          assertThat(name).isGreaterThan(previousName);
        }
        previousName = name;
        in.readByte();
        int entries = in.readInt();
        byte[] previousKey = null;
        for (int e = 0; e < entries; e++) {
          byte[] key = new byte[in.readVarInt()];
          in.readBytes(key, 0, key.length);
          in.skip(in.readVarInt());
          if (previousKey != null) {
            assertThat(Arrays.compareUnsigned(previousKey, key)).isNegative();
          }
          previousKey = key;
        }
      }
    }
    assertThat(in.readInt()).isEqualTo(blocks);
    assertThat(blocks).isGreaterThan(1);
  }

  private java.util.Set<Integer> keyGroupsIn(List<KeyedStateHandle> handles) throws Exception {
    java.util.Set<Integer> groups = new java.util.TreeSet<>();
    byte[] file = fileOf(handles);
    ByteArrayReader in = new ByteArrayReader(file, 0, file.length);
    in.skip(20);
    for (int group = in.readInt(); group != -1; group = in.readInt()) {
      groups.add(group);
      in.skip(in.readInt());
    }
    return groups;
  }

  @Test
  void statesTheOperatorHasNotRegisteredSurviveARoundTripThroughBothBackends() throws Exception {
    KeyedStateBackend original = heap(ALL);
    fillInOrder(original, keys(200), false);
    List<KeyedStateHandle> first = savepoint(original);

    KeyedStateBackend rocks = rocksDb(ALL);
    rocks.restore(first, storage); // nothing registered
    List<KeyedStateHandle> second = savepoint(rocks);
    assertThat(fileOf(second)).isEqualTo(fileOf(first));

    KeyedStateBackend heap = heap(ALL);
    heap.restore(second, storage); // nothing registered
    assertThat(fileOf(savepoint(heap))).isEqualTo(fileOf(first));
  }

  @Test
  void unregisteredStateRestoredFromASavepointIsCarriedThroughANativeHeapCheckpoint()
      throws Exception {
    List<String> keys = keys(100);
    KeyedStateBackend original = rocksDb(ALL);
    fill(original, keys);
    KeyedStateBackend middle = heap(ALL);
    middle.restore(savepoint(original), storage);
    List<KeyedStateHandle> checkpoint =
        middle.snapshot(9, SnapshotType.CHECKPOINT, storage, "job/chk-9/op/0").upload();
    assertThat(checkpoint.get(0).getBackend()).isEqualTo("heap");

    KeyedStateBackend last = heap(ALL);
    last.restore(checkpoint, storage);
    assertFilledWithin(last, keys);
  }

  @Test
  void aSavepointFailsClearlyWhileAListRestoredFromAHeapCheckpointIsUnregistered()
      throws Exception {
    KeyedStateBackend original = heap(ALL);
    fill(original, keys(10));
    List<KeyedStateHandle> checkpoint =
        original.snapshot(1, SnapshotType.CHECKPOINT, storage, "job/chk-1/op/0").upload();
    KeyedStateBackend restored = heap(ALL);
    restored.restore(checkpoint, storage);
    restored.getState(COUNT); // registered; "events" (a list) is not

    assertThatThrownBy(() -> savepoint(restored))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'events'")
        .hasMessageContaining("registers it");

    restored.getListState(EVENTS);
    restored.getMapState(PER_PAGE);
    KeyedStateBackend fromSavepoint = rocksDb(ALL);
    fromSavepoint.restore(savepoint(restored), storage);
    assertFilledWithin(fromSavepoint, keys(10));
  }

  @Test
  void aCorruptSavepointFileFailsTheRestoreOfEitherBackendNamingTheFile() throws Exception {
    KeyedStateBackend original = heap(ALL);
    fill(original, keys(200));
    List<KeyedStateHandle> handles = savepoint(original);
    String path = handles.get(0).getFiles(0).getPath();
    storage.flipByte(path);

    for (KeyedStateBackend restored : List.of(heap(ALL), rocksDb(ALL))) {
      assertThatThrownBy(() -> restored.restore(handles, storage))
          .isInstanceOf(StateRestoreException.class)
          .hasMessageContaining(storage.describe(path))
          .hasMessageContaining("corrupt");
    }
  }

  @Test
  void aMalformedValueWithAMatchingChecksumFailsTheRestoreNamingTheFile() throws Exception {
    KeyedStateBackend original = rocksDb(ALL);
    ListState<String> events = original.getListState(EVENTS);
    select(original, "k");
    events.add("only");
    KeyedStateHandle handle = savepoint(original).get(0);
    String path = handle.getFiles(0).getPath();
    byte[] bytes = storage.read(path);
    // the list value is [count=1][element length=5][string codec: length 4, "only"]: claim two
    int at = indexOf(bytes, new byte[] {1, 5, 4, 'o', 'n', 'l', 'y'});
    bytes[at] = 2;
    storage.write(path, bytes);
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    KeyedStateHandle rewritten =
        handle.toBuilder()
            .setFiles(0, handle.getFiles(0).toBuilder().setCrc32C((int) crc.getValue()))
            .build();

    for (KeyedStateBackend restored : List.of(heap(ALL), rocksDb(ALL))) {
      assertThatThrownBy(() -> restored.restore(List.of(rewritten), storage))
          .isInstanceOf(StateRestoreException.class)
          .hasMessageContaining(storage.describe(path))
          .hasMessageContaining("corrupt");
    }
  }

  @Test
  void aTruncatedSavepointFileFailsTheRestoreNamingTheFile() throws Exception {
    KeyedStateBackend original = rocksDb(ALL);
    fill(original, keys(200));
    List<KeyedStateHandle> handles = savepoint(original);
    String path = handles.get(0).getFiles(0).getPath();
    storage.truncate(path, storage.size(path) - 10);

    for (KeyedStateBackend restored : List.of(heap(ALL), rocksDb(ALL))) {
      assertThatThrownBy(() -> restored.restore(handles, storage))
          .isInstanceOf(StateRestoreException.class)
          .hasMessageContaining(storage.describe(path))
          .hasMessageContaining("truncated");
    }
  }

  private static int indexOf(byte[] bytes, byte[] pattern) {
    for (int i = 0; i + pattern.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i;
      }
    }
    throw new AssertionError("pattern not found");
  }
}
