package dev.weir.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codecs;
import dev.weir.codec.ByteArrayWriter;
import org.junit.jupiter.api.Test;

/** Key group math, exhaustively for small max parallelisms. Single-threaded. */
class KeyGroupRangeAssignmentTest {

  @Test
  void rangesOfAllSubtasksAreContiguousDisjointAndCoverEveryKeyGroupExactlyOnce() {
    for (int maxParallelism = 1; maxParallelism <= 300; maxParallelism++) {
      for (int parallelism = 1; parallelism <= maxParallelism; parallelism++) {
        int next = 0;
        for (int subtask = 0; subtask < parallelism; subtask++) {
          KeyGroupRange range =
              KeyGroupRangeAssignment.rangeForSubtask(maxParallelism, parallelism, subtask);
          assertThat(range.isEmpty())
              .as("range of %d/%d at maxP %d", subtask, parallelism, maxParallelism)
              .isFalse();
          assertThat(range.start())
              .as("start of %d/%d at maxP %d", subtask, parallelism, maxParallelism)
              .isEqualTo(next);
          next = range.end() + 1;
        }
        assertThat(next)
            .as("end at p %d maxP %d", parallelism, maxParallelism)
            .isEqualTo(maxParallelism);
      }
    }
  }

  @Test
  void subtaskForKeyGroupAgreesWithRangeForSubtaskForEveryKeyGroup() {
    for (int maxParallelism = 1; maxParallelism <= 300; maxParallelism++) {
      for (int parallelism = 1; parallelism <= maxParallelism; parallelism++) {
        for (int subtask = 0; subtask < parallelism; subtask++) {
          KeyGroupRange range =
              KeyGroupRangeAssignment.rangeForSubtask(maxParallelism, parallelism, subtask);
          for (int keyGroup = range.start(); keyGroup <= range.end(); keyGroup++) {
            int owner =
                KeyGroupRangeAssignment.subtaskForKeyGroup(maxParallelism, parallelism, keyGroup);
            if (owner != subtask) {
              assertThat(owner)
                  .as("owner of %d at p %d maxP %d", keyGroup, parallelism, maxParallelism)
                  .isEqualTo(subtask);
            }
          }
        }
      }
    }
  }

  @Test
  void rangesWorkAtTheUpperBoundOfMaxParallelism() {
    int max = KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM;
    for (int parallelism : new int[] {1, 7, 1000, max}) {
      assertThat(KeyGroupRangeAssignment.rangeForSubtask(max, parallelism, 0).start()).isZero();
      assertThat(KeyGroupRangeAssignment.rangeForSubtask(max, parallelism, parallelism - 1).end())
          .isEqualTo(max - 1);
      assertThat(KeyGroupRangeAssignment.subtaskForKeyGroup(max, parallelism, max - 1))
          .isEqualTo(parallelism - 1);
    }
  }

  @Test
  void keyGroupOfIsDeterministicAndWithinRangeForEveryMaxParallelism() {
    ByteArrayWriter out = new ByteArrayWriter(32);
    for (int i = 0; i < 2_000; i++) {
      out.reset();
      Codecs.STRING.write("key-" + i, out);
      byte[] copy = out.toByteArray();
      for (int maxParallelism : new int[] {1, 2, 3, 127, 128, 300, 32768}) {
        int keyGroup =
            KeyGroupRangeAssignment.keyGroupOf(out.array(), 0, out.position(), maxParallelism);
        assertThat(keyGroup).isBetween(0, maxParallelism - 1);
        assertThat(KeyGroupRangeAssignment.keyGroupOf(copy, 0, copy.length, maxParallelism))
            .isEqualTo(keyGroup);
      }
    }
  }

  @Test
  void keyGroupOfReadsOnlyTheGivenSliceOfTheArray() {
    byte[] bytes = {9, 9, 1, 2, 3, 4, 5, 9};
    byte[] slice = {1, 2, 3, 4, 5};
    assertThat(KeyGroupRangeAssignment.keyGroupOf(bytes, 2, 5, 128))
        .isEqualTo(KeyGroupRangeAssignment.keyGroupOf(slice, 0, 5, 128));
  }

  @Test
  void hundredThousandStringKeysSpreadEvenlyOverOneHundredTwentyEightKeyGroups() {
    int[] counts = new int[128];
    ByteArrayWriter out = new ByteArrayWriter(32);
    int keys = 100_000;
    for (int i = 0; i < keys; i++) {
      out.reset();
      Codecs.STRING.write("user-" + i, out);
      counts[KeyGroupRangeAssignment.keyGroupOf(out.array(), 0, out.position(), 128)]++;
    }
    double expected = keys / 128.0; // 781.25; one standard deviation is about 28
    for (int keyGroup = 0; keyGroup < counts.length; keyGroup++) {
      assertThat((double) counts[keyGroup])
          .as("keys in key group %d", keyGroup)
          .isBetween(expected * 0.85, expected * 1.15);
    }
  }

  @Test
  void invalidParallelismsAndIndexesAreRefused() {
    assertThatThrownBy(() -> KeyGroupRangeAssignment.rangeForSubtask(128, 129, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyGroupRangeAssignment.rangeForSubtask(128, 4, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyGroupRangeAssignment.rangeForSubtask(0, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyGroupRangeAssignment.rangeForSubtask(1 << 16, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
