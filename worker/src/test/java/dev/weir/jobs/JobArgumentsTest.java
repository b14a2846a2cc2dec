package dev.weir.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobArgumentsTest {
  private static final Set<String> OPTIONS = Set.of("--events", "--output");
  private static final Set<String> FLAGS = Set.of("--print");

  @Test
  void readsOptionsWithSeparateOrAttachedValuesAndFlags() {
    JobArguments a =
        JobArguments.parse(
            List.of("--events", "-5", "--output=out/dir", "--print"), OPTIONS, FLAGS);

    assertThat(a.longValue("--events", 1)).isEqualTo(-5);
    assertThat(a.string("--output")).isEqualTo("out/dir");
    assertThat(a.flag("--print")).isTrue();
  }

  @Test
  void absentOptionsTakeTheirDefaults() {
    JobArguments a = JobArguments.parse(List.of(), OPTIONS, FLAGS);

    assertThat(a.intValue("--events", 7)).isEqualTo(7);
    assertThat(a.string("--output")).isNull();
    assertThat(a.flag("--print")).isFalse();
  }

  @Test
  void refusesUnknownRepeatedValuelessAndMalformedOptionsNamingThem() {
    assertThatThrownBy(() -> JobArguments.parse(List.of("--event", "5"), OPTIONS, FLAGS))
        .hasMessage("unknown option '--event' (known: --events, --output, --print)");
    assertThatThrownBy(
            () -> JobArguments.parse(List.of("--events", "1", "--events", "2"), OPTIONS, FLAGS))
        .hasMessage("option '--events' is given twice");
    assertThatThrownBy(() -> JobArguments.parse(List.of("--output"), OPTIONS, FLAGS))
        .hasMessage("option '--output' needs a value");
    JobArguments a = JobArguments.parse(List.of("--events", "abc"), OPTIONS, FLAGS);
    assertThatThrownBy(() -> a.longValue("--events", 0))
        .hasMessage("invalid value for option '--events': 'abc' is not a whole number");
    JobArguments big = JobArguments.parse(List.of("--events", "9999999999"), OPTIONS, FLAGS);
    assertThatThrownBy(() -> big.intValue("--events", 0))
        .hasMessage("invalid value for option '--events': 9999999999 is too large");
  }
}
