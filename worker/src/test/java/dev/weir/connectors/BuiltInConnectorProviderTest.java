package dev.weir.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Sink;
import dev.weir.api.connectors.Sinks;
import dev.weir.api.connectors.Sources;
import org.junit.jupiter.api.Test;

/** The API's connector factories reach this runtime's implementations. */
class BuiltInConnectorProviderTest {

  @Test
  void theApisFactoriesBuildTheRuntimesConnectors() {
    Sink<String> print = Sinks.print();

    assertThat(Sources.generator(10, i -> i).splits(2).ratePerSubtask(5).build())
        .isInstanceOf(GeneratorSource.class);
    assertThat(Sources.lines("input.txt")).isInstanceOf(LineFileSource.class);
    assertThat(Sinks.<String>exactlyOnceFiles("out", s -> s))
        .isInstanceOf(ExactlyOnceFileSink.class);
    assertThat(print).isInstanceOf(PrintSink.class);
    assertThat(Sinks.discarding()).isInstanceOf(DiscardingSink.class);
    assertThat(Sinks.throttled(print, 10)).isInstanceOf(ThrottledSink.class);
  }

  @Test
  void theRuntimeChecksTheOptionsOfAConnectorWhenItIsBuilt() {
    assertThatThrownBy(() -> Sources.generator(10, i -> i).splits(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("splits >= 1");
  }
}
