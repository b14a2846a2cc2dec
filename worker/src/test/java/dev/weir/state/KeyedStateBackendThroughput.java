package dev.weir.state;

import dev.weir.api.Codecs;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.state.backends.KeyedStateBackends;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A manual micro-measure, not a test: ops/s of setCurrentKey + ValueState&lt;Long&gt; value() +
 * update() over 100k String keys in scrambled order, for each backend. Single-threaded; run with
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(deps) dev.weir.state.KeyedStateBackendThroughput
 * </pre>
 */
public final class KeyedStateBackendThroughput {
  private static final int KEYS = 100_000;
  private static final int ROUNDS = 30;

  public static void main(String[] args) throws Exception {
    String[] keys = new String[KEYS];
    int[] groups = new int[KEYS];
    ByteArrayWriter out = new ByteArrayWriter(32);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "user-" + i;
      out.reset();
      Codecs.STRING.write(keys[i], out);
      groups[i] = KeyGroupRangeAssignment.keyGroupOf(out.array(), 0, out.position(), 128);
    }
    for (StateBackendKind kind : StateBackendKind.values()) {
      Path dir = Files.createTempDirectory("weir-throughput");
      try (KeyedStateBackend backend =
          KeyedStateBackends.forKind(kind)
              .create("op", 0, KeyGroupRange.of(0, 127), 128, Codecs.STRING, dir)) {
        measure(kind, backend, keys, groups);
      } finally {
        WorkDirectory.deleteRecursively(dir);
      }
    }
  }

  private static void measure(
      StateBackendKind kind, KeyedStateBackend backend, String[] keys, int[] groups) {
    ValueState<Long> count = backend.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    int[] order = new int[keys.length];
    for (int n = 0; n < order.length; n++) {
      order[n] = (int) (((n * 0x9E3779B97F4A7C15L) >>> 1) % keys.length);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long checksum = 0;
    double[] rates = new double[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      long allocatedBefore = threads.getThreadAllocatedBytes(thread);
      long start = System.nanoTime();
      for (int n = 0; n < keys.length; n++) {
        int i = order[n]; // scrambled, like the word-count benchmark's words
        backend.setCurrentKey(keys[i], groups[i]);
        Long value = count.value();
        long next = value == null ? 1 : value + 1;
        count.update(next);
        checksum += next;
      }
      long nanos = System.nanoTime() - start;
      long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
      rates[round] = keys.length * 1e9 / nanos;
      if (round % 5 == 4 || round == 0) {
        System.out.printf(
            "%-8s round %2d: %,12.0f ops/s  %6.1f bytes allocated/op (incl. the boxed Long)%n",
            kind.id(), round, keys.length * 1e9 / nanos, (double) allocated / keys.length);
      }
    }
    double[] warm = java.util.Arrays.copyOfRange(rates, ROUNDS / 3, ROUNDS);
    java.util.Arrays.sort(warm);
    System.out.printf(
        "%-8s median of the last %d rounds: %,.0f ops/s (checksum %d)%n",
        kind.id(), warm.length, warm[warm.length / 2], checksum);
  }
}
