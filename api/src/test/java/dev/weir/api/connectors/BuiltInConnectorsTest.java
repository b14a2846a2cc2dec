package dev.weir.api.connectors;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The API alone, as a job author's unit test has it: the runtime is not on this class path. */
class BuiltInConnectorsTest {

  @Test
  void aBuiltInConnectorWithoutTheRuntimeSaysWhereItComesFrom() {
    assertThatThrownBy(() -> Sources.lines("input.txt"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("come with the Weir runtime (weir-worker)");
    assertThatThrownBy(Sinks::discarding)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("implement Source and Sink yourself");
  }
}
