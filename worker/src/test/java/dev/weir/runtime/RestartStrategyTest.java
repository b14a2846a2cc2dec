package dev.weir.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartStrategyTest {

  @Test
  void noneNeverRestarts() {
    assertThat(RestartStrategy.none().onFailure(0)).isEmpty();
  }

  @Test
  void fixedDelayRestartsTheGivenNumberOfTimes() {
    RestartStrategy s = RestartStrategy.fixedDelay(2, Duration.ofMillis(5));
    assertThat(s.onFailure(0)).contains(Duration.ofMillis(5));
    assertThat(s.onFailure(1)).contains(Duration.ofMillis(5));
    assertThat(s.onFailure(2)).isEmpty();
  }

  @Test
  void failureRateGivesUpOnlyWhenTooManyFailuresFallInTheInterval() {
    RestartStrategy s = RestartStrategy.failureRate(2, Duration.ofSeconds(10), Duration.ZERO);
    assertThat(s.onFailure(0)).isPresent();
    assertThat(s.onFailure(1_000)).isPresent();
    assertThat(s.onFailure(11_500)).isPresent(); // the first two left the window
    assertThat(s.onFailure(12_000)).isPresent();
    assertThat(s.onFailure(13_000)).isEmpty(); // three within ten seconds
  }

  @Test
  void exponentialDelayGrowsUpToTheMaximumAndResetsAfterAQuietPeriod() {
    RestartStrategy s =
        RestartStrategy.exponentialDelay(
            Duration.ofMillis(100), Duration.ofMillis(350), 2.0, Duration.ofSeconds(60));
    assertThat(s.onFailure(0)).contains(Duration.ofMillis(100));
    assertThat(s.onFailure(1)).contains(Duration.ofMillis(200));
    assertThat(s.onFailure(2)).contains(Duration.ofMillis(350));
    assertThat(s.onFailure(3)).contains(Duration.ofMillis(350));
    assertThat(s.onFailure(100_000)).contains(Duration.ofMillis(100));
  }
}
