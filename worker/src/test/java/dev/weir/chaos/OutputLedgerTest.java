package dev.weir.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputLedgerTest {

  /** Apps 0..keys-1 with counts 1..perKey each, interleaved as the sink writes them. */
  private static List<String> exact(int keys, int perKey) {
    List<String> lines = new ArrayList<>();
    for (int c = 1; c <= perKey; c++) {
      for (int app = 0; app < keys; app++) {
        lines.add(app + "," + c);
      }
    }
    return lines;
  }

  @Test
  void exactOutputHasNothingLostOrDuplicated() {
    OutputLedger ledger = OutputLedger.of(exact(3, 5), 3, 5);
    assertThat(ledger.exact()).isTrue();
    assertThat(ledger.lines()).isEqualTo(15);
  }

  @Test
  void theOrderOfCountsDoesNotMatter() {
    List<String> lines = exact(3, 5);
    java.util.Collections.reverse(lines);
    assertThat(OutputLedger.of(lines, 3, 5).exact()).isTrue();
  }

  @Test
  void aMissingCountIsLost() {
    List<String> lines = exact(3, 5);
    lines.remove("1,3");
    OutputLedger ledger = OutputLedger.of(lines, 3, 5);
    assertThat(ledger.lost()).isEqualTo(1);
    assertThat(ledger.duplicated()).isZero();
    assertThat(ledger.sample()).contains("app 1 count 3 missing");
  }

  @Test
  void aRepeatedCountAndACountBeyondTheTotalAreDuplicated() {
    List<String> lines = exact(3, 5);
    lines.add("2,4");
    lines.add("0,6");
    OutputLedger ledger = OutputLedger.of(lines, 3, 5);
    assertThat(ledger.lost()).isZero();
    assertThat(ledger.duplicated()).isEqualTo(2);
    assertThat(ledger.sample()).contains("app 2 count 4 repeated", "app 0 count 6 out of range");
  }

  @Test
  void anAppWithNoOutputLosesAllItsCounts() {
    List<String> lines = exact(3, 5).stream().filter(l -> !l.startsWith("2,")).toList();
    assertThat(OutputLedger.of(lines, 3, 5).lost()).isEqualTo(5);
  }

  @Test
  void anUnreadableLineCountsAsDuplicated() {
    List<String> lines = new ArrayList<>(exact(2, 2));
    lines.add("garbage");
    assertThat(OutputLedger.of(lines, 2, 2).duplicated()).isEqualTo(1);
  }
}
