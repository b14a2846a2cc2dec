package dev.weir.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codecs;
import dev.weir.state.StateAccessException;
import dev.weir.state.StateKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cache on its own, without RocksDB: lookups, recency, dirtiness and eviction. Single-threaded.
 */
class RocksDbValueCacheTest {
  private final RocksDbColumn counts = column("counts", 1);
  private final RocksDbColumn totals = column("totals", 2);
  private final List<String> writtenBack = new ArrayList<>();

  private RocksDbValueCache cache(int capacity) {
    return new RocksDbValueCache(
        capacity, entry -> writtenBack.add(text(entry.key) + "=" + entry.value));
  }

  private static RocksDbColumn column(String name, int columnFamilyId) {
    RocksDbColumn column = new RocksDbColumn(name, StateKind.VALUE, null);
    column.columnFamilyId = columnFamilyId;
    return column;
  }

  private static RocksDbValueCache.Key key(String text) {
    return key(text.getBytes(StandardCharsets.UTF_8));
  }

  private static RocksDbValueCache.Key key(byte[] bytes) {
    RocksDbValueCache.Key key = new RocksDbValueCache.Key();
    // the backend's buffer is longer than the key and reused: so is this one
    byte[] buffer = Arrays.copyOf(bytes, bytes.length + 7);
    Arrays.fill(buffer, bytes.length, buffer.length, (byte) 'x');
    key.set(buffer, bytes.length);
    return key;
  }

  private static String text(byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }

  private static Object valueOf(RocksDbValueCache cache, RocksDbColumn column, String key) {
    RocksDbValueCache.Entry entry = cache.find(column, key(key));
    return entry == null ? "(not cached)" : entry.value;
  }

  @Test
  void findsWhatWasInsertedUnderTheSameStateAndKeyOnly() {
    RocksDbValueCache cache = cache(10);
    cache.insert(counts, key("alice"), 1L, Codecs.LONG, true);
    cache.insert(totals, key("alice"), 2L, Codecs.LONG, true);
    cache.insert(counts, key("bob"), null, Codecs.LONG, false);

    assertThat(valueOf(cache, counts, "alice")).isEqualTo(1L);
    assertThat(valueOf(cache, totals, "alice")).isEqualTo(2L);
    assertThat(cache.find(counts, key("bob")).value).isNull(); // cached as absent
    assertThat(cache.find(counts, key("carol"))).isNull();
    assertThat(cache.find(counts, key("alic"))).isNull();
    assertThat(cache.find(counts, key("alice2"))).isNull();
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.dirtyCount()).isEqualTo(2);
  }

  @Test
  void keysLongerThanTheInlinePrefixOrPaddedWithZerosAreComparedWhole() {
    RocksDbValueCache cache = cache(10);
    String shared = "0123456789abcdef"; // exactly the 16 bytes kept inline
    cache.insert(counts, key(shared + "-one"), 1L, Codecs.LONG, false);
    cache.insert(counts, key(shared + "-two"), 2L, Codecs.LONG, false);
    cache.insert(counts, key(new byte[] {7}), 3L, Codecs.LONG, false);
    cache.insert(counts, key(new byte[] {7, 0}), 4L, Codecs.LONG, false);

    assertThat(valueOf(cache, counts, shared + "-one")).isEqualTo(1L);
    assertThat(valueOf(cache, counts, shared + "-two")).isEqualTo(2L);
    assertThat(valueOf(cache, counts, shared)).isEqualTo("(not cached)");
    assertThat(cache.find(counts, key(new byte[] {7})).value).isEqualTo(3L);
    assertThat(cache.find(counts, key(new byte[] {7, 0})).value).isEqualTo(4L);
    assertThat(cache.find(counts, key(new byte[] {7, 0, 0}))).isNull();
  }

  @Test
  void anEntryUsedSinceTheClockHandPassedSurvivesAndOnlyDirtyEvictionsAreWrittenBack() {
    RocksDbValueCache cache = cache(3);
    cache.insert(counts, key("a"), 1L, Codecs.LONG, true);
    cache.insert(counts, key("b"), 2L, Codecs.LONG, false);
    cache.insert(counts, key("c"), 3L, Codecs.LONG, true);
    cache.find(counts, key("a")); // a gets a second chance

    cache.insert(counts, key("d"), 4L, Codecs.LONG, true); // evicts b: clean, nothing to write
    assertThat(writtenBack).isEmpty();
    assertThat(cache.find(counts, key("b"))).isNull();

    cache.insert(counts, key("e"), 5L, Codecs.LONG, true); // evicts c: dirty
    assertThat(writtenBack).containsExactly("c=3");
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.dirtyCount()).isEqualTo(3); // a, d, e

    cache.insert(counts, key("f"), 6L, Codecs.LONG, true); // the hand came round: a goes now
    assertThat(writtenBack).containsExactly("c=3", "a=1");
  }

  @Test
  void aHotKeyStaysCachedWhileManyColdKeysPassThrough() {
    RocksDbValueCache cache = cache(100);
    for (int i = 0; i < 10_000; i++) {
      if (cache.find(counts, key("hot")) == null) {
        cache.insert(counts, key("hot"), 0L, Codecs.LONG, true);
      }
      cache.insert(counts, key("cold-" + i), (long) i, Codecs.LONG, true);
    }
    assertThat(writtenBack).doesNotContain("hot=0").hasSize(10_000 - 99);
    assertThat(cache.size()).isEqualTo(100);
  }

  @Test
  void anEvictedEntryIsNoLongerMarkedCached() {
    RocksDbValueCache cache = cache(1);
    RocksDbValueCache.Entry first = cache.insert(counts, key("a"), 1L, Codecs.LONG, false);
    cache.insert(counts, key("b"), 2L, Codecs.LONG, false);
    assertThat(first.cached).isFalse();
    assertThat(cache.find(counts, key("b")).cached).isTrue();
  }

  @Test
  void anEvictionWhoseWriteFailsKeepsTheEntryCachedAndDirty() {
    RocksDbValueCache cache =
        new RocksDbValueCache(
            1,
            entry -> {
              throw new StateAccessException("disk full", null);
            });
    cache.insert(counts, key("a"), 1L, Codecs.LONG, true);
    assertThatThrownBy(() -> cache.insert(counts, key("b"), 2L, Codecs.LONG, true))
        .hasMessage("disk full");
    assertThat(valueOf(cache, counts, "a")).isEqualTo(1L);
    assertThat(cache.find(counts, key("a")).dirty).isTrue();
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void updatingAnEntryMakesItDirtyOnce() {
    RocksDbValueCache cache = cache(10);
    RocksDbValueCache.Entry entry = cache.insert(counts, key("a"), 1L, Codecs.LONG, false);
    cache.update(entry, 2L, Codecs.LONG);
    cache.update(entry, null, Codecs.LONG);
    assertThat(entry.dirty).isTrue();
    assertThat(entry.value).isNull();
    assertThat(cache.dirtyCount()).isEqualTo(1);
  }

  @Test
  void dirtyEntriesStayDirtyUntilMarkedCleanAndStayCachedAfterwards() {
    RocksDbValueCache cache = cache(10);
    cache.insert(counts, key("a"), 1L, Codecs.LONG, true);
    cache.insert(counts, key("b"), 2L, Codecs.LONG, false);
    cache.insert(totals, key("a"), null, Codecs.LONG, true);

    List<String> dirty = new ArrayList<>();
    cache.forEachDirty(entry -> dirty.add(entry.column.name + ":" + text(entry.key)));
    assertThat(dirty).containsExactly("counts:a", "totals:a");
    assertThat(cache.dirtyCount()).isEqualTo(2);

    cache.markAllClean();
    assertThat(cache.dirtyCount()).isZero();
    List<String> after = new ArrayList<>();
    cache.forEachDirty(entry -> after.add(text(entry.key)));
    assertThat(after).isEmpty();
    assertThat(valueOf(cache, counts, "a")).isEqualTo(1L);
    assertThat(cache.size()).isEqualTo(3);
  }

  @Test
  void renewedDirtyEntriesTakeOverValuesFlagsAndPlacesOfTheOriginals() {
    RocksDbValueCache cache = cache(2);
    RocksDbValueCache.Entry a = cache.insert(counts, key("a"), 1L, Codecs.LONG, true);
    RocksDbValueCache.Entry b = cache.insert(totals, key("b"), null, Codecs.LONG, false);
    cache.find(counts, key("a")); // referenced: survives the next eviction

    cache.renewDirty();

    assertThat(a.cached).isFalse(); // replaced by a copy
    assertThat(b.cached).isTrue(); // clean: kept as it is
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.dirtyCount()).isEqualTo(1);
    cache.insert(counts, key("c"), 3L, Codecs.LONG, true); // evicts b, not the referenced a
    assertThat(cache.find(totals, key("b"))).isNull();
    RocksDbValueCache.Entry renewedA = cache.find(counts, key("a"));
    assertThat(renewedA).isNotSameAs(a);
    assertThat(renewedA.value).isEqualTo(1L);
    assertThat(renewedA.dirty).isTrue();
    List<String> dirty = new ArrayList<>();
    cache.forEachDirty(entry -> dirty.add(text(entry.key)));
    assertThat(dirty).containsExactlyInAnyOrder("a", "c");
  }

  @Test
  void renewingKeepsEveryKeyFindableWhateverItsPlaceInItsBucket() {
    RocksDbValueCache cache = cache(5_000);
    for (int i = 0; i < 5_000; i++) {
      cache.insert(counts, key("key-" + i), (long) i, Codecs.LONG, i % 3 != 0);
    }
    cache.renewDirty();
    for (int i = 0; i < 5_000; i++) {
      RocksDbValueCache.Entry entry = cache.find(counts, key("key-" + i));
      assertThat(entry.value).isEqualTo((long) i);
      assertThat(entry.dirty).isEqualTo(i % 3 != 0);
      assertThat(entry.cached).isTrue();
    }
    assertThat(cache.size()).isEqualTo(5_000);
  }

  @Test
  void clearDropsEverythingWithoutWritingBack() {
    RocksDbValueCache cache = cache(10);
    RocksDbValueCache.Entry entry = cache.insert(counts, key("a"), 1L, Codecs.LONG, true);
    cache.clear();
    assertThat(cache.size()).isZero();
    assertThat(cache.dirtyCount()).isZero();
    assertThat(entry.cached).isFalse();
    assertThat(cache.find(counts, key("a"))).isNull();
    assertThat(writtenBack).isEmpty();
  }

  @Test
  void manyKeysSurviveTheTableGrowing() {
    RocksDbValueCache cache = cache(100_000);
    for (int i = 0; i < 50_000; i++) {
      cache.insert(i % 2 == 0 ? counts : totals, key("key-" + i), (long) i, Codecs.LONG, true);
    }
    for (int i = 0; i < 50_000; i++) {
      assertThat(valueOf(cache, i % 2 == 0 ? counts : totals, "key-" + i)).isEqualTo((long) i);
    }
    assertThat(writtenBack).isEmpty();
  }

  @Test
  void keyOrderIsRocksDbsOrderWithinAColumnFamily() {
    RocksDbValueCache cache = cache(100);
    List<byte[]> keys =
        List.of(
            new byte[] {1},
            new byte[] {1, 0},
            new byte[] {1, 0, 0},
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xff, 1},
            new byte[] {0x7f, (byte) 0xff},
            "0123456789abcdef".getBytes(StandardCharsets.UTF_8),
            "0123456789abcdef\0".getBytes(StandardCharsets.UTF_8),
            "0123456789abcdefA".getBytes(StandardCharsets.UTF_8),
            "0123456789abcdeg".getBytes(StandardCharsets.UTF_8),
            new byte[0]);
    List<RocksDbValueCache.Entry> entries = new ArrayList<>();
    for (byte[] bytes : keys) {
      entries.add(cache.insert(totals, key(bytes), 1L, Codecs.LONG, true));
      entries.add(cache.insert(counts, key(bytes), 1L, Codecs.LONG, true));
    }

    entries.sort(RocksDbValueCache.KEY_ORDER);

    Comparator<RocksDbValueCache.Entry> expected =
        Comparator.<RocksDbValueCache.Entry>comparingInt(e -> e.column.columnFamilyId)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.key, b.key));
    List<RocksDbValueCache.Entry> sortedByArrays = new ArrayList<>(entries);
    sortedByArrays.sort(expected);
    assertThat(entries).containsExactlyElementsOf(sortedByArrays);
    assertThat(entries.get(0).column).isSameAs(counts);
    assertThat(entries.get(0).key).isEmpty();
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> cache(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
