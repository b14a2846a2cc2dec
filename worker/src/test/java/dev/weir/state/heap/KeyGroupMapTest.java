package dev.weir.state.heap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyGroupMapTest {

  private static byte[] key(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Object get(KeyGroupMap map, byte[] key) {
    int slot = map.find(key, 0, key.length, KeyGroupMap.hash(key, 0, key.length));
    return slot < 0 ? null : map.valueAt(slot);
  }

  private static void put(KeyGroupMap map, byte[] key, Object value) {
    map.put(key, 0, key.length, KeyGroupMap.hash(key, 0, key.length), value);
  }

  private static boolean remove(KeyGroupMap map, byte[] key) {
    int slot = map.find(key, 0, key.length, KeyGroupMap.hash(key, 0, key.length));
    if (slot < 0) {
      return false;
    }
    map.removeAt(slot);
    return true;
  }

  /** Every entry of the map, decoded from the keys it writes. */
  private static Map<String, Object> contents(KeyGroupMap map) {
    Map<String, Object> entries = new HashMap<>();
    ByteArrayWriter out = new ByteArrayWriter(64);
    for (int slot = 0; slot < map.capacity(); slot++) {
      if (map.used(slot)) {
        out.reset();
        map.writeKey(slot, out);
        ByteArrayReader in = new ByteArrayReader(out.array(), 0, out.position());
        int length = in.readVarInt();
        String key = new String(out.array(), in.position(), length, StandardCharsets.UTF_8);
        assertThat(entries.put(key, map.valueAt(slot))).as("key written twice").isNull();
      }
    }
    return entries;
  }

  @Test
  void agreesWithAHashMapOverRandomPutsAndRemovesOfShortAndLongKeys() {
    SplittableRandom random = new SplittableRandom(7);
    KeyGroupMap map = new KeyGroupMap();
    Map<String, Object> expected = new HashMap<>();
    for (int op = 0; op < 200_000; op++) {
      int id = random.nextInt(3_000);
      // a few keys longer than 127 bytes: their length takes two bytes
      String k = id % 97 == 0 ? "long-" + "x".repeat(150) + id : "k" + id;
      if (random.nextInt(3) == 0) {
        assertThat(remove(map, key(k))).isEqualTo(expected.remove(k) != null);
      } else {
        put(map, key(k), op);
        expected.put(k, op);
      }
      if (op % 20_000 == 0) {
        assertThat(contents(map)).isEqualTo(expected);
      }
    }
    assertThat(map.size()).isEqualTo(expected.size());
    assertThat(contents(map)).isEqualTo(expected);
    for (int id = 0; id < 3_000; id++) {
      String k = id % 97 == 0 ? "long-" + "x".repeat(150) + id : "k" + id;
      assertThat(get(map, key(k))).isEqualTo(expected.get(k));
    }
  }

  @Test
  void aCopyChangesWithoutChangingTheOriginal() {
    KeyGroupMap original = new KeyGroupMap();
    for (int i = 0; i < 100; i++) {
      put(original, key("k" + i), i);
    }
    Map<String, Object> before = contents(original);

    KeyGroupMap copy = original.copy();
    for (int i = 0; i < 50; i++) {
      remove(copy, key("k" + i));
    }
    for (int i = 100; i < 1_000; i++) { // grows and compacts the copy
      put(copy, key("k" + i), i);
    }
    put(copy, key("k99"), "changed");

    assertThat(contents(original)).isEqualTo(before);
    assertThat(get(original, key("k99"))).isEqualTo(99);
    assertThat(get(copy, key("k99"))).isEqualTo("changed");
    assertThat(get(copy, key("k10"))).isNull();
    assertThat(copy.size()).isEqualTo(950);
  }

  @Test
  void keysRemovedOverAndOverDoNotGrowItsMemoryWithoutBound() {
    KeyGroupMap map = new KeyGroupMap();
    for (int round = 0; round < 100_000; round++) {
      byte[] k = key("timer-" + round);
      put(map, k, round);
      if (round >= 10) {
        remove(map, key("timer-" + (round - 10)));
      }
    }
    assertThat(map.size()).isEqualTo(10);
    assertThat(map.capacity()).isLessThanOrEqualTo(64);
    assertThat(map.keyBytesCapacity()).isLessThan(4_096); // 100,000 keys of ~11 bytes came and went
    assertThat(contents(map))
        .containsOnlyKeys(
            java.util.stream.IntStream.range(99_990, 100_000).mapToObj(i -> "timer-" + i).toList());
  }
}
