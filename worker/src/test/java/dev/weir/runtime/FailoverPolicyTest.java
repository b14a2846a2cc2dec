package dev.weir.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.failure.FailureKind;
import dev.weir.runtime.FailoverDecision.Action;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FailoverPolicyTest {
  private static final long NOW = 1_764_000_000_000L;

  @Test
  void anUnreadableRestoredCheckpointFallsBackToTheNewestOlderOneWithoutAskingTheStrategy() {
    FailoverPolicy policy = new FailoverPolicy(RestartStrategy.none());

    FailoverDecision decision =
        policy.decide(FailureKind.STATE_UNREADABLE, 9L, List.of(5L, 9L, 7L), NOW);

    assertThat(decision.action()).isEqualTo(Action.FALL_BACK);
    assertThat(decision.unreadableCheckpoint()).isEqualTo(9);
    assertThat(decision.olderCheckpoint()).isEqualTo(7);
  }

  @Test
  void anUnreadableRestoredCheckpointWithNothingOlderFailsTheJob() {
    FailoverPolicy policy =
        new FailoverPolicy(RestartStrategy.fixedDelay(10, Duration.ofMillis(5)));

    FailoverDecision decision = policy.decide(FailureKind.STATE_UNREADABLE, 9L, List.of(9L), NOW);

    assertThat(decision.action()).isEqualTo(Action.FAIL);
    assertThat(decision.reason()).contains("snapshot 9").contains("no older one");
  }

  @ParameterizedTest
  @EnumSource(
      value = FailureKind.class,
      names = {"USER_CODE", "STORAGE_UNREACHABLE", "INFRASTRUCTURE"})
  void anyOtherFailureOfARestoredAttemptRestartsFromTheSameCheckpointAsTheStrategySays(
      FailureKind kind) {
    FailoverPolicy policy =
        new FailoverPolicy(RestartStrategy.fixedDelay(1, Duration.ofMillis(50)));

    FailoverDecision first = policy.decide(kind, 9L, List.of(9L), NOW);
    FailoverDecision second = policy.decide(kind, 9L, List.of(9L), NOW + 100);

    assertThat(first.action()).isEqualTo(Action.RESTART);
    assertThat(first.delay()).isEqualTo(Duration.ofMillis(50));
    assertThat(second.action()).as("the strategy's one attempt is used up").isEqualTo(Action.FAIL);
    assertThat(second.reason()).contains(kind.name());
  }

  @Test
  void anUnreadableStateWithoutARestoredCheckpointIsLeftToTheStrategy() {
    FailoverPolicy policy =
        new FailoverPolicy(RestartStrategy.fixedDelay(1, Duration.ofMillis(50)));

    FailoverDecision decision = policy.decide(FailureKind.STATE_UNREADABLE, null, List.of(), NOW);

    assertThat(decision.action()).isEqualTo(Action.RESTART);
  }

  @Test
  void aFallBackDoesNotUseUpTheStrategysAttempts() {
    FailoverPolicy policy =
        new FailoverPolicy(RestartStrategy.fixedDelay(1, Duration.ofMillis(50)));
    policy.decide(FailureKind.STATE_UNREADABLE, 9L, List.of(7L, 9L), NOW);

    FailoverDecision decision = policy.decide(FailureKind.USER_CODE, 7L, List.of(7L), NOW);

    assertThat(decision.action()).isEqualTo(Action.RESTART);
  }
}
