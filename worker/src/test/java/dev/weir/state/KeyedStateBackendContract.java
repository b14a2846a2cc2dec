package dev.weir.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codecs;
import dev.weir.api.ListState;
import dev.weir.api.MapState;
import dev.weir.api.ReducingState;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupFileReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour every keyed state backend must have; run for each backend by a subclass. Backends are
 * used from the test thread only, as the task thread would.
 */
public abstract class KeyedStateBackendContract {
  public static final int MAX_PARALLELISM = 128;
  public static final KeyGroupRange ALL = KeyGroupRange.of(0, MAX_PARALLELISM - 1);

  public static final StateDescriptor.Value<Long> COUNT =
      new StateDescriptor.Value<>("count", Codecs.LONG);
  public static final StateDescriptor.ListOf<String> EVENTS =
      new StateDescriptor.ListOf<>("events", Codecs.STRING);
  public static final StateDescriptor.MapOf<String, Long> PER_PAGE =
      new StateDescriptor.MapOf<>("per-page", Codecs.STRING, Codecs.LONG);
  public static final StateDescriptor.Reducing<Long> SUM =
      new StateDescriptor.Reducing<>("sum", Long::sum, Codecs.LONG);

  @TempDir protected Path tempDir;
  protected final InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
  private final List<KeyedStateBackend> backends = new ArrayList<>();
  private int created;

  protected abstract KeyedStateBackendFactory factory();

  /** Every key group that has an entry in the snapshot, read back from storage. */
  protected abstract Set<Integer> keyGroupsInSnapshot(List<KeyedStateHandle> handles)
      throws Exception;

  /** Upper bound of bytes allocated per setCurrentKey + ValueState value() + update(). */
  protected abstract double allowedBytesPerValueAccess();

  protected KeyedStateBackend backend(KeyGroupRange range) throws Exception {
    return backend(range, factory());
  }

  /** A backend of another factory (other settings), closed after the test like the others. */
  protected KeyedStateBackend backend(KeyGroupRange range, KeyedStateBackendFactory factory)
      throws Exception {
    KeyedStateBackend backend =
        factory.create(
            "op",
            created,
            range,
            MAX_PARALLELISM,
            Codecs.STRING,
            tempDir.resolve("backend-" + created++));
    backends.add(backend);
    return backend;
  }

  protected Path workDirOf(int backendIndex) {
    return tempDir.resolve("backend-" + backendIndex);
  }

  @AfterEach
  void closeBackends() {
    for (KeyedStateBackend backend : backends) {
      backend.close();
    }
  }

  public static int keyGroupOf(String key) {
    ByteArrayWriter out = new ByteArrayWriter(32);
    Codecs.STRING.write(key, out);
    return KeyGroupRangeAssignment.keyGroupOf(out.array(), 0, out.position(), MAX_PARALLELISM);
  }

  public static void select(KeyedStateBackend backend, String key) {
    backend.setCurrentKey(key, keyGroupOf(key));
  }

  public static List<String> keys(int n) {
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add("user-" + i);
    }
    return keys;
  }

  /** Gives every key distinct state in all four kinds of state. */
  public static void fill(KeyedStateBackend backend, List<String> keys) {
    ValueState<Long> count = backend.getState(COUNT);
    ListState<String> events = backend.getListState(EVENTS);
    MapState<String, Long> perPage = backend.getMapState(PER_PAGE);
    ReducingState<Long> sum = backend.getReducingState(SUM);
    for (int i = 0; i < keys.size(); i++) {
      select(backend, keys.get(i));
      count.update((long) i);
      events.add("e" + i);
      events.add("f" + i);
      perPage.put("/a", (long) i);
      perPage.put("/b", (long) -i);
      sum.add((long) i);
      sum.add(1L);
    }
  }

  /** Checks the state {@link #fill} wrote for one key. */
  public static void assertFilled(KeyedStateBackend backend, String key, int i) {
    select(backend, key);
    assertThat(backend.getState(COUNT).value()).as("count of %s", key).isEqualTo(i);
    assertThat(backend.getListState(EVENTS).get())
        .as("events of %s", key)
        .containsExactly("e" + i, "f" + i);
    assertThat(toMap(backend.getMapState(PER_PAGE)))
        .as("per-page of %s", key)
        .isEqualTo(Map.of("/a", (long) i, "/b", (long) -i));
    assertThat(backend.getReducingState(SUM).get()).as("sum of %s", key).isEqualTo(i + 1L);
  }

  public static <K, V> Map<K, V> toMap(MapState<K, V> state) {
    Map<K, V> map = new HashMap<>();
    state.entries().forEach(e -> map.put(e.getKey(), e.getValue()));
    return map;
  }

  protected List<KeyedStateHandle> snapshotAndUpload(KeyedStateBackend backend, long id)
      throws Exception {
    return backend
        .snapshot(id, storage, "job/chk-" + id + "/op/" + backend.keyGroupRange())
        .upload();
  }

  // ---- semantics per key

  @Test
  void valueStateHoldsOneValuePerKeyAndNullWhereNothingWasWritten() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<Long> count = backend.getState(COUNT);

    select(backend, "alice");
    assertThat(count.value()).isNull();
    count.update(1L);
    select(backend, "bob");
    assertThat(count.value()).isNull();
    count.update(2L);

    select(backend, "alice");
    assertThat(count.value()).isEqualTo(1L);
    count.update(3L);
    assertThat(count.value()).isEqualTo(3L);
    select(backend, "bob");
    assertThat(count.value()).isEqualTo(2L);
  }

  @Test
  void clearOrUpdateWithNullRemovesOnlyTheCurrentKeysValue() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<Long> count = backend.getState(COUNT);
    select(backend, "alice");
    count.update(1L);
    select(backend, "bob");
    count.update(2L);
    select(backend, "carol");
    count.update(3L);

    select(backend, "alice");
    count.clear();
    select(backend, "bob");
    count.update(null);

    select(backend, "alice");
    assertThat(count.value()).isNull();
    select(backend, "bob");
    assertThat(count.value()).isNull();
    select(backend, "carol");
    assertThat(count.value()).isEqualTo(3L);
  }

  @Test
  void listStateKeepsInsertionOrderPerKeyAndIsEmptyNeverNullWhenAbsent() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ListState<String> events = backend.getListState(EVENTS);

    select(backend, "alice");
    assertThat(events.get()).isNotNull().isEmpty();
    events.add("a1");
    events.addAll(List.of("a2", "a3"));
    events.addAll(List.of());
    select(backend, "bob");
    events.add("b1");

    select(backend, "alice");
    assertThat(events.get()).containsExactly("a1", "a2", "a3");
    events.update(List.of("x", "y"));
    assertThat(events.get()).containsExactly("x", "y");
    events.add("z");
    assertThat(events.get()).containsExactly("x", "y", "z");
    events.update(List.of());
    assertThat(events.get()).isEmpty();
    events.add("again");
    assertThat(events.get()).containsExactly("again");

    select(backend, "bob");
    assertThat(events.get()).containsExactly("b1");
    events.clear();
    assertThat(events.get()).isEmpty();
  }

  @Test
  void listStateCopiesTheListPassedToUpdate() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ListState<String> events = backend.getListState(EVENTS);
    select(backend, "alice");
    List<String> mine = new ArrayList<>(List.of("a", "b"));
    events.update(mine);
    mine.add("c");
    assertThat(events.get()).containsExactly("a", "b");
  }

  @Test
  void listStateRefusesNullElements() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ListState<String> events = backend.getListState(EVENTS);
    select(backend, "alice");
    assertThatThrownBy(() -> events.add(null)).isInstanceOf(NullPointerException.class);
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> events.addAll(withNull)).isInstanceOf(NullPointerException.class);
    assertThat(events.get()).isEmpty();
  }

  @Test
  void mapStatePutsGetsRemovesAndListsEntriesPerKey() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    MapState<String, Long> perPage = backend.getMapState(PER_PAGE);

    select(backend, "alice");
    assertThat(perPage.isEmpty()).isTrue();
    assertThat(perPage.get("/home")).isNull();
    assertThat(perPage.entries()).isEmpty();
    perPage.put("/home", 1L);
    perPage.put("/cart", 2L);
    perPage.put("/home", 3L);
    select(backend, "bob");
    assertThat(perPage.isEmpty()).isTrue();
    perPage.put("/home", 10L);

    select(backend, "alice");
    assertThat(perPage.isEmpty()).isFalse();
    assertThat(perPage.get("/home")).isEqualTo(3L);
    assertThat(perPage.contains("/cart")).isTrue();
    assertThat(perPage.contains("/nowhere")).isFalse();
    assertThat(toMap(perPage)).isEqualTo(Map.of("/home", 3L, "/cart", 2L));

    perPage.remove("/home");
    perPage.remove("/nowhere");
    assertThat(toMap(perPage)).isEqualTo(Map.of("/cart", 2L));
    perPage.remove("/cart");
    assertThat(perPage.isEmpty()).isTrue();

    perPage.put("/x", 5L);
    perPage.clear();
    assertThat(perPage.isEmpty()).isTrue();
    assertThat(perPage.get("/x")).isNull();

    select(backend, "bob");
    assertThat(toMap(perPage)).isEqualTo(Map.of("/home", 10L));
  }

  @Test
  void mapStateEntriesAreACopyThatLaterWritesDoNotChange() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    MapState<String, Long> perPage = backend.getMapState(PER_PAGE);
    select(backend, "alice");
    perPage.put("/a", 1L);
    Iterable<Map.Entry<String, Long>> entries = perPage.entries();
    perPage.put("/b", 2L);
    perPage.put("/a", 7L);
    assertThat(entries).containsExactly(Map.entry("/a", 1L));
  }

  @Test
  void reducingStateFoldsAddedValuesWithTheReducePerKey() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ReducingState<Long> max =
        backend.getReducingState(new StateDescriptor.Reducing<>("max", Math::max, Codecs.LONG));

    select(backend, "alice");
    assertThat(max.get()).isNull();
    max.add(3L);
    max.add(9L);
    max.add(4L);
    select(backend, "bob");
    max.add(-1L);

    select(backend, "alice");
    assertThat(max.get()).isEqualTo(9L);
    max.clear();
    assertThat(max.get()).isNull();
    select(backend, "bob");
    assertThat(max.get()).isEqualTo(-1L);
  }

  @Test
  void aFailingReduceFunctionSurfacesAsStateAccessException() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ReducingState<Long> failing =
        backend.getReducingState(
            new StateDescriptor.Reducing<Long>(
                "failing",
                (a, b) -> {
                  throw new IOException("boom");
                },
                Codecs.LONG));
    select(backend, "alice");
    failing.add(1L);
    assertThatThrownBy(() -> failing.add(2L))
        .isInstanceOf(StateAccessException.class)
        .hasMessageContaining("failing")
        .hasRootCauseMessage("boom");
    assertThat(failing.get()).isEqualTo(1L);
  }

  @Test
  void statesWithDifferentNamesAreIndependentAndOneNameIsOneState() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<Long> count = backend.getState(COUNT);
    ValueState<Long> other = backend.getState(new StateDescriptor.Value<>("other", Codecs.LONG));
    ValueState<Long> countAgain =
        backend.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    select(backend, "alice");
    count.update(1L);
    other.update(2L);
    assertThat(countAgain.value()).isEqualTo(1L);
    assertThat(other.value()).isEqualTo(2L);
  }

  @Test
  void registeringANameAgainAsAnotherKindOfStateFails() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    backend.getState(COUNT);
    assertThatThrownBy(
            () -> backend.getListState(new StateDescriptor.ListOf<>("count", Codecs.LONG)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'count'");
  }

  @Test
  void setCurrentKeyRefusesAKeyGroupOutsideTheBackendsRange() throws Exception {
    KeyedStateBackend backend = backend(KeyGroupRange.of(0, 63));
    assertThatThrownBy(() -> backend.setCurrentKey("k", 64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64");
  }

  @Test
  void stateUsedBeforeAnyKeyIsSetFailsClearly() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<Long> count = backend.getState(COUNT);
    assertThatThrownBy(count::value)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("setCurrentKey");
  }

  // ---- snapshots

  @Test
  void snapshotRestoredIntoAFreshBackendGivesIdenticalState() throws Exception {
    List<String> keys = keys(2_000);
    KeyedStateBackend original = backend(ALL);
    fill(original, keys);
    select(original, keys.get(7));
    original.getState(COUNT).clear(); // an absent value must stay absent

    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);
    assertThat(handles).hasSize(1);
    assertThat(handles.get(0).getKeyGroupStart()).isZero();
    assertThat(handles.get(0).getKeyGroupEnd()).isEqualTo(127);
    assertThat(handles.get(0).getFilesList())
        .allSatisfy(f -> assertThat(storage.exists(f.getPath())).isTrue());

    KeyedStateBackend restored = backend(ALL);
    restored.restore(handles, storage);
    for (int i = 0; i < keys.size(); i++) {
      if (i == 7) {
        continue;
      }
      assertFilled(restored, keys.get(i), i);
    }
    select(restored, keys.get(7));
    assertThat(restored.getState(COUNT).value()).isNull();
    assertThat(restored.getListState(EVENTS).get()).containsExactly("e7", "f7");
    select(restored, "never-written");
    assertThat(restored.getState(COUNT).value()).isNull();
  }

  @Test
  void writesAfterSnapshotReturnedAreNotInTheUploadedSnapshot() throws Exception {
    List<String> keys = keys(500);
    KeyedStateBackend backend = backend(ALL);
    fill(backend, keys);

    KeyedStateBackend.KeyedSnapshot snapshot = backend.snapshot(1, storage, "job/chk-1/op/0");
    // change every kind of state in place, for every key, plus new keys, before the upload
    ValueState<Long> count = backend.getState(COUNT);
    ListState<String> events = backend.getListState(EVENTS);
    MapState<String, Long> perPage = backend.getMapState(PER_PAGE);
    ReducingState<Long> sum = backend.getReducingState(SUM);
    for (int i = 0; i < keys.size(); i++) {
      select(backend, keys.get(i));
      switch (i % 4) {
        case 0 -> {
          count.update(-1L);
          events.add("late");
          perPage.put("/a", -1L);
          perPage.put("/late", 1L);
          sum.add(1000L);
        }
        case 1 -> {
          count.clear();
          events.clear();
          perPage.clear();
          sum.clear();
        }
        case 2 -> {
          events.addAll(List.of("late1", "late2"));
          perPage.remove("/b");
        }
        default -> events.update(List.of("replaced"));
      }
    }
    select(backend, "new-key");
    count.update(42L);
    events.add("new");

    List<KeyedStateHandle> handles = snapshot.upload();

    KeyedStateBackend restored = backend(ALL);
    restored.restore(handles, storage);
    for (int i = 0; i < keys.size(); i++) {
      assertFilled(restored, keys.get(i), i);
    }
    select(restored, "new-key");
    assertThat(restored.getState(COUNT).value()).isNull();
    assertThat(restored.getListState(EVENTS).get()).isEmpty();

    // and the live backend kept the later writes
    select(backend, keys.get(0));
    assertThat(events.get()).containsExactly("e0", "f0", "late");
    assertThat(toMap(perPage)).isEqualTo(Map.of("/a", -1L, "/b", 0L, "/late", 1L));
    select(backend, keys.get(2));
    assertThat(events.get()).containsExactly("e2", "f2", "late1", "late2");
    select(backend, "new-key");
    assertThat(count.value()).isEqualTo(42L);
  }

  @Test
  void overlappingSnapshotsEachKeepTheStateOfTheirOwnMoment() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<Long> count = backend.getState(COUNT);
    ListState<String> events = backend.getListState(EVENTS);
    List<String> keys = keys(300);

    for (String key : keys) {
      select(backend, key);
      count.update(1L);
      events.add("one");
    }
    KeyedStateBackend.KeyedSnapshot first = backend.snapshot(1, storage, "job/chk-1/op/0");
    for (String key : keys) {
      select(backend, key);
      count.update(2L);
      events.add("two");
    }
    KeyedStateBackend.KeyedSnapshot second = backend.snapshot(2, storage, "job/chk-2/op/0");
    for (String key : keys) {
      select(backend, key);
      count.update(3L);
      events.add("three");
    }
    List<KeyedStateHandle> secondHandles = second.upload();
    for (String key : keys) { // after one upload finished, the other must still be intact
      select(backend, key);
      count.update(4L);
      events.add("four");
    }
    List<KeyedStateHandle> firstHandles = first.upload();

    KeyedStateBackend fromFirst = backend(ALL);
    fromFirst.restore(firstHandles, storage);
    KeyedStateBackend fromSecond = backend(ALL);
    fromSecond.restore(secondHandles, storage);
    for (String key : keys) {
      select(fromFirst, key);
      assertThat(fromFirst.getState(COUNT).value()).isEqualTo(1L);
      assertThat(fromFirst.getListState(EVENTS).get()).containsExactly("one");
      select(fromSecond, key);
      assertThat(fromSecond.getState(COUNT).value()).isEqualTo(2L);
      assertThat(fromSecond.getListState(EVENTS).get()).containsExactly("one", "two");
      select(backend, key);
      assertThat(events.get()).containsExactly("one", "two", "three", "four");
    }
  }

  @Test
  void restoringIntoThreeBackendsGivesEachExactlyTheKeysOfItsKeyGroups() throws Exception {
    List<String> keys = keys(3_000);
    List<KeyedStateHandle> handles = new ArrayList<>();
    for (KeyGroupRange range : List.of(KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127))) {
      KeyedStateBackend old = backend(range);
      fill(old, ownedBy(range, keys));
      handles.addAll(snapshotAndUpload(old, 1));
    }

    for (int subtask = 0; subtask < 3; subtask++) {
      KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(MAX_PARALLELISM, 3, subtask);
      KeyedStateBackend rescaled = backend(range);
      rescaled.restore(handles, storage);
      int found = 0;
      for (int i = 0; i < keys.size(); i++) {
        if (range.contains(keyGroupOf(keys.get(i)))) {
          assertFilled(rescaled, keys.get(i), indexIn(ownedBy(oldRangeOf(keys.get(i)), keys), i));
          found++;
        }
      }
      assertThat(found).isPositive();
      // nothing of other key groups came along: snapshot it again and look inside
      assertThat(keyGroupsInSnapshot(snapshotAndUpload(rescaled, 2)))
          .isNotEmpty()
          .allSatisfy(keyGroup -> assertThat(range.contains(keyGroup)).isTrue());
    }
  }

  @Test
  void restoringThreeSnapshotsIntoOneBackendMergesAllKeys() throws Exception {
    List<String> keys = keys(3_000);
    List<KeyedStateHandle> handles = new ArrayList<>();
    for (int subtask = 0; subtask < 3; subtask++) {
      KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(MAX_PARALLELISM, 3, subtask);
      KeyedStateBackend old = backend(range);
      fill(old, keys.stream().filter(k -> range.contains(keyGroupOf(k))).toList());
      handles.addAll(snapshotAndUpload(old, 1));
    }

    KeyedStateBackend merged = backend(ALL);
    merged.restore(handles, storage);
    Map<Integer, Integer> indexInOwner = new HashMap<>();
    for (int subtask = 0; subtask < 3; subtask++) {
      KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(MAX_PARALLELISM, 3, subtask);
      List<String> owned = keys.stream().filter(k -> range.contains(keyGroupOf(k))).toList();
      for (int j = 0; j < owned.size(); j++) {
        indexInOwner.put(keys.indexOf(owned.get(j)), j);
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      assertFilled(merged, keys.get(i), indexInOwner.get(i));
    }
    assertThat(keyGroupsInSnapshot(snapshotAndUpload(merged, 2)))
        .containsAll(keys.stream().map(KeyedStateBackendContract::keyGroupOf).toList());
  }

  private static KeyGroupRange oldRangeOf(String key) {
    return keyGroupOf(key) < 64 ? KeyGroupRange.of(0, 63) : KeyGroupRange.of(64, 127);
  }

  private static List<String> ownedBy(KeyGroupRange range, List<String> keys) {
    return keys.stream().filter(k -> range.contains(keyGroupOf(k))).toList();
  }

  private static int indexIn(List<String> owned, int globalIndex) {
    return owned.indexOf("user-" + globalIndex);
  }

  @Test
  void handlesOfKeyGroupsOutsideTheRangeAreNotEvenRead() throws Exception {
    KeyedStateBackend old = backend(KeyGroupRange.of(64, 127));
    fill(old, ownedBy(KeyGroupRange.of(64, 127), keys(200)));
    List<KeyedStateHandle> handles = snapshotAndUpload(old, 1);
    for (StateFile file : handles.get(0).getFilesList()) {
      storage.delete(file.getPath());
    }
    KeyedStateBackend other = backend(KeyGroupRange.of(0, 63));
    other.restore(handles, storage);
    String key = ownedBy(KeyGroupRange.of(0, 63), keys(200)).get(0);
    select(other, key);
    assertThat(other.getState(COUNT).value()).isNull();
  }

  @Test
  void restoreFailsNamingTheFileWhenASnapshotFileIsCorrupt() throws Exception {
    KeyedStateBackend original = backend(ALL);
    fill(original, keys(200));
    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);
    String path = largestFile(handles).getPath();
    storage.flipByte(path);

    KeyedStateBackend restored = backend(ALL);
    assertThatThrownBy(() -> restored.restore(handles, storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(storage.describe(path))
        .hasMessageContaining("corrupt");
  }

  @Test
  void restoreFailsNamingTheFileWhenASnapshotFileIsTruncated() throws Exception {
    KeyedStateBackend original = backend(ALL);
    fill(original, keys(200));
    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);
    String path = largestFile(handles).getPath();
    storage.truncate(path, storage.size(path) - 10);

    KeyedStateBackend restored = backend(ALL);
    assertThatThrownBy(() -> restored.restore(handles, storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(storage.describe(path))
        .hasMessageContaining("truncated");
  }

  @Test
  void restoreFailsNamingTheFileWhenASnapshotFileIsMissing() throws Exception {
    KeyedStateBackend original = backend(ALL);
    fill(original, keys(50));
    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);
    String path = largestFile(handles).getPath();
    storage.delete(path);

    KeyedStateBackend restored = backend(ALL);
    assertThatThrownBy(() -> restored.restore(handles, storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(storage.describe(path));
  }

  @Test
  void restoreRefusesStateWrittenByTheOtherBackend() throws Exception {
    KeyedStateBackend original = backend(ALL);
    fill(original, keys(10));
    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);
    String otherBackend = handles.get(0).getBackend().equals("heap") ? "rocksdb" : "heap";
    List<KeyedStateHandle> relabelled =
        List.of(handles.get(0).toBuilder().setBackend(otherBackend).build());

    KeyedStateBackend restored = backend(ALL);
    assertThatThrownBy(() -> restored.restore(relabelled, storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining("'" + otherBackend + "'");
  }

  static StateFile largestFile(List<KeyedStateHandle> handles) {
    return handles.stream()
        .flatMap(h -> h.getFilesList().stream())
        .max(Comparator.comparingLong(StateFile::getSize))
        .orElseThrow();
  }

  @Test
  void stateRegisteredBeforeRestoreSeesTheRestoredValues() throws Exception {
    KeyedStateBackend original = backend(ALL);
    fill(original, keys(100));
    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);

    KeyedStateBackend restored = backend(ALL);
    ValueState<Long> count = restored.getState(COUNT);
    ListState<String> events = restored.getListState(EVENTS);
    ValueState<Long> notInSnapshot =
        restored.getState(new StateDescriptor.Value<>("fresh", Codecs.LONG));
    restored.restore(handles, storage);

    select(restored, "user-5");
    assertThat(count.value()).isEqualTo(5L);
    assertThat(events.get()).containsExactly("e5", "f5");
    assertThat(notInSnapshot.value()).isNull();
    notInSnapshot.update(1L);
    assertThat(notInSnapshot.value()).isEqualTo(1L);
  }

  @Test
  void restoredStateTheOperatorDoesNotRegisterIsCarriedIntoTheNextSnapshot() throws Exception {
    KeyedStateBackend original = backend(ALL);
    fill(original, keys(100));
    List<KeyedStateHandle> first = snapshotAndUpload(original, 1);

    KeyedStateBackend middle = backend(ALL);
    middle.restore(first, storage);
    select(middle, "user-3");
    middle.getState(COUNT).update(33L); // only "count" is used in this run
    List<KeyedStateHandle> second = snapshotAndUpload(middle, 2);

    KeyedStateBackend last = backend(ALL);
    last.restore(second, storage);
    select(last, "user-3");
    assertThat(last.getState(COUNT).value()).isEqualTo(33L);
    assertThat(last.getListState(EVENTS).get()).containsExactly("e3", "f3");
    assertThat(last.getMapState(PER_PAGE).get("/a")).isEqualTo(3L);
  }

  @Test
  void registeringRestoredStateAsAnotherKindFails() throws Exception {
    KeyedStateBackend original = backend(ALL);
    fill(original, keys(10));
    List<KeyedStateHandle> handles = snapshotAndUpload(original, 1);
    KeyedStateBackend restored = backend(ALL);
    restored.restore(handles, storage);
    assertThatThrownBy(
            () -> restored.getState(new StateDescriptor.Value<>("events", Codecs.STRING)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'events'");
  }

  @Test
  void uploadAndDiscardLeaveNoSnapshotFilesBehindAndCloseLeavesNothing() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    Path workDir = workDirOf(0);
    fill(backend, keys(100));
    // the live database (RocksDB) changes with every snapshot's flush; only look at what is beside
    // it
    Set<Path> before = entriesOf(workDir);

    backend.snapshot(1, storage, "job/chk-1/op/0").discard();
    assertThat(entriesOf(workDir)).isEqualTo(before);

    KeyedStateBackend.KeyedSnapshot uploaded = backend.snapshot(2, storage, "job/chk-2/op/0");
    uploaded.upload();
    uploaded.discard(); // harmless after upload
    assertThat(entriesOf(workDir)).isEqualTo(before);

    KeyedStateBackend restored = backend(ALL);
    restored.restore(snapshotAndUpload(backend, 3), storage);
    assertThat(entriesOf(workDirOf(1))).hasSizeLessThanOrEqualTo(1);

    backend.close();
    assertThat(filesUnder(workDir)).isEmpty();
  }

  @Test
  void aDiscardedSnapshotCannotBeUploaded() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    KeyedStateBackend.KeyedSnapshot snapshot = backend.snapshot(1, storage, "job/chk-1/op/0");
    snapshot.discard();
    assertThatThrownBy(snapshot::upload).isInstanceOf(IllegalStateException.class);
    assertThat(storage.list("job/")).isEmpty();
  }

  /** The files and directories directly in {@code dir}. */
  static Set<Path> entriesOf(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(dir::relativize).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  static Set<Path> filesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return Set.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> !p.equals(dir))
          .map(dir::relativize)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void valuesLargerThanAnyReadBufferRoundTripWhole() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<String> text = backend.getState(new StateDescriptor.Value<>("text", Codecs.STRING));
    String big = "x".repeat(300_000);
    select(backend, "alice");
    text.update("small");
    assertThat(text.value()).isEqualTo("small");
    text.update(big);
    assertThat(text.value()).isEqualTo(big);
    select(backend, "bob");
    text.update("small again");
    assertThat(text.value()).isEqualTo("small again");
  }

  @Test
  void mapEntriesOfKeysWhoseBytesPrefixEachOtherStayApartEvenWithoutLengthPrefixes()
      throws Exception {
    // a key codec that writes raw UTF-8: "a" is a byte prefix of "ab"
    dev.weir.api.Codec<String> raw =
        new dev.weir.api.Codec<>() {
          @Override
          public void write(String value, dev.weir.api.BinaryWriter out) {
            byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeBytes(bytes, 0, bytes.length);
          }

          @Override
          public String read(dev.weir.api.BinaryReader in) {
            throw new UnsupportedOperationException("not needed: keys are never read back");
          }
        };
    KeyedStateBackend backend =
        factory().create("op", 99, ALL, MAX_PARALLELISM, raw, tempDir.resolve("raw-keys"));
    backends.add(backend);
    MapState<String, Long> perPage = backend.getMapState(PER_PAGE);
    backend.setCurrentKey("a", 5);
    perPage.put("b", 1L);
    backend.setCurrentKey("ab", 5);
    perPage.put("c", 2L);

    backend.setCurrentKey("a", 5);
    assertThat(toMap(perPage)).isEqualTo(Map.of("b", 1L));
    perPage.clear();
    backend.setCurrentKey("ab", 5);
    assertThat(toMap(perPage)).isEqualTo(Map.of("c", 2L));
  }

  // ---- hot path

  @Test
  void valueReadAndUpdateOfExistingKeysAllocateLittle() throws Exception {
    KeyedStateBackend backend = backend(ALL);
    ValueState<Long> count = backend.getState(COUNT);
    List<String> keys = keys(1_000);
    int[] groups = keys.stream().mapToInt(KeyedStateBackendContract::keyGroupOf).toArray();
    Long one = 1L;
    for (int round = 0; round < 20; round++) { // creates the entries, warms the code up
      for (int i = 0; i < keys.size(); i++) {
        backend.setCurrentKey(keys.get(i), groups[i]);
        count.value();
        count.update(one);
      }
    }

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    int operations = 0;
    long before = threads.getThreadAllocatedBytes(thread);
    for (int round = 0; round < 100; round++) {
      for (int i = 0; i < keys.size(); i++) {
        backend.setCurrentKey(keys.get(i), groups[i]);
        count.value();
        count.update(one);
        operations++;
      }
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat((double) allocated / operations).isLessThan(allowedBytesPerValueAccess());
  }

  /** The key groups with entries in heap or canonical snapshot files. */
  public static Set<Integer> keyGroupsInKeyGroupFiles(
      List<KeyedStateHandle> handles, InMemoryCheckpointStorage storage, Path tempDir)
      throws Exception {
    Set<Integer> keyGroups = new TreeSet<>();
    int n = 0;
    for (KeyedStateHandle handle : handles) {
      for (StateFile file : handle.getFilesList()) {
        Path local = tempDir.resolve("inspect-" + n++);
        storage.download(file.getPath(), local);
        KeyGroupFileFormat format =
            handle.getBackend().equals(CanonicalSnapshotFormat.BACKEND_ID)
                ? KeyGroupFileFormat.CANONICAL
                : KeyGroupFileFormat.HEAP;
        new KeyGroupFileReader(format, MAX_PARALLELISM, ALL)
            .read(
                local,
                file.getPath(),
                new KeyGroupFileReader.EntrySink() {
                  private int keyGroup;

                  @Override
                  public void beginState(int keyGroup, String name, StateKind kind) {
                    this.keyGroup = keyGroup;
                  }

                  @Override
                  public void entry(
                      byte[] bytes,
                      int keyOffset,
                      int keyLength,
                      int valueOffset,
                      int valueLength) {
                    keyGroups.add(keyGroup);
                  }
                });
      }
    }
    return keyGroups;
  }
}
