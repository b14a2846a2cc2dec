package dev.weir.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeneratorSourceTest {

  @ParameterizedTest(name = "{0} events in {1} splits")
  @CsvSource({"0, 4", "3, 4", "4, 4", "1000, 64", "1001, 64", "9223372036854775807, 64"})
  void theSplitsPartitionTheIndicesEvenlyEvenForUnboundedRuns(long events, int splits) {
    GeneratorSource<Long> source = new GeneratorSource<>(events, splits, 0, i -> i);
    long total = 0;
    long smallest = Long.MAX_VALUE;
    long largest = 0;
    for (int split = 0; split < splits; split++) {
      long size = source.splitSize(split);
      assertThat(size).as("size of split %d", split).isNotNegative();
      total += size;
      smallest = Math.min(smallest, size);
      largest = Math.max(largest, size);
    }
    assertThat(total).isEqualTo(events);
    assertThat(largest - smallest).isLessThanOrEqualTo(1);
  }
}
