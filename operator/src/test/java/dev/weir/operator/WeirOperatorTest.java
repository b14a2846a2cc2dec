package dev.weir.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.operator.reconciler.OperatorSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeirOperatorTest {

  @Test
  void readsSettingsFromTheEnvironmentWithDefaults() {
    OperatorSettings settings =
        WeirOperator.settings(
            Map.of(
                "WEIR_WATCH_NAMESPACES",
                " jobs, other ,",
                "WEIR_POLL_INTERVAL",
                "5s",
                "WEIR_ACTIVE_POLL_INTERVAL",
                "500ms")); // as the chart's values write them
    assertThat(settings.namespaces()).containsExactlyInAnyOrder("jobs", "other");
    assertThat(settings.pollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.activePollInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.savepointTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(WeirOperator.port(Map.of(), "WEIR_METRICS_PORT", 8080)).isEqualTo(8080);
  }

  @Test
  void refusesBadValuesNamingTheVariable() {
    assertThatThrownBy(() -> WeirOperator.settings(Map.of("WEIR_SAVEPOINT_TIMEOUT", "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "WEIR_SAVEPOINT_TIMEOUT='soon' is not a duration (use e.g. 500ms, 10s, 5m, 1h)");
    assertThatThrownBy(
            () -> WeirOperator.port(Map.of("WEIR_METRICS_PORT", "80800"), "WEIR_METRICS_PORT", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("WEIR_METRICS_PORT='80800' is not a port (0-65535)");
  }

  @Test
  void leaseRefusesARenewDeadlineNotShorterThanTheLease() {
    assertThatThrownBy(
            () ->
                new StreamingJobOperator.Lease(
                    "weir-operator",
                    "ns",
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1),
                    null,
                    true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be shorter than its duration");
  }
}
