package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.operator.api.SavepointRequest;
import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.JobObservation;
import dev.weir.operator.coordinator.SavepointOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one savepoint step of upgrades, manual savepoints and deletion: what it sends and what it
 * concludes from the coordinator's answers ({@link SavepointVerdict}).
 */
class SavepointStepTest {
  private static final Instant STARTED = Instant.parse("2026-12-03T12:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final SavepointRequest STOP =
      new SavepointRequest(
          "j-1-upgrade-2", SavepointTrigger.UPGRADE, null, true, STARTED.toString());
  private static final SavepointRequest MANUAL =
      new SavepointRequest(
          "j-1-annotation-ab12", SavepointTrigger.ANNOTATION, "x", false, STARTED.toString());

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SavepointStep step =
      new SavepointStep(null, new OperatorMetrics(registry), TIMEOUT);
  private final ScriptedCoordinator coordinator = new ScriptedCoordinator();

  @Test
  void sendsTheRequestOnlyWhenTheCoordinatorNeverSawIt() {
    step.poll(coordinator, STOP, STARTED);
    step.poll(coordinator, STOP, STARTED.plusSeconds(1));

    assertThat(coordinator.calls)
        .containsExactly(
            "get j-1-upgrade-2", "trigger j-1-upgrade-2 stop=true", "get j-1-upgrade-2");
    assertThat(registry.counter("weir.operator.savepoints.triggered", "trigger", "UPGRADE").count())
        .isEqualTo(1);
  }

  @Test
  void aSavepointOfTheRunningJobIsSentWithoutStop() {
    step.poll(coordinator, MANUAL, STARTED);

    assertThat(coordinator.calls).contains("trigger j-1-annotation-ab12 stop=false");
  }

  @Test
  void aRestartedCoordinatorThatLostTheOperationIsAskedAgainWithTheSameId() {
    step.poll(coordinator, STOP, STARTED);
    coordinator.operations.clear(); // its pod restarted: the answer is UNKNOWN again

    step.poll(coordinator, STOP, STARTED.plusSeconds(5));

    assertThat(coordinator.calls)
        .filteredOn(c -> c.startsWith("trigger"))
        .containsExactly("trigger j-1-upgrade-2 stop=true", "trigger j-1-upgrade-2 stop=true");
  }

  @Test
  void theAnswerOfTheCoordinatorBecomesTheVerdict() {
    assertThat(step.poll(coordinator, STOP, STARTED)).isEqualTo(SavepointVerdict.IN_PROGRESS);

    coordinator.operations.put(
        STOP.requestId(),
        new SavepointOutcome(
            STOP.requestId(), SavepointOutcome.State.COMPLETED, "s3://b/sp-1", 4, null));
    assertThat(step.poll(coordinator, STOP, STARTED.plusSeconds(2)))
        .isEqualTo(SavepointVerdict.completed("s3://b/sp-1"));

    coordinator.operations.put(
        STOP.requestId(),
        new SavepointOutcome(STOP.requestId(), SavepointOutcome.State.FAILED, null, 0, "declined"));
    assertThat(step.poll(coordinator, STOP, STARTED.plusSeconds(3)))
        .isEqualTo(SavepointVerdict.failed("declined"));
  }

  @Test
  void anUnreachableCoordinatorIsWaitedForUntilTheTimeoutThenNamedInTheFailure() {
    coordinator.unreachable = true;

    assertThat(step.poll(coordinator, STOP, STARTED.plus(TIMEOUT)))
        .isEqualTo(SavepointVerdict.IN_PROGRESS);
    assertThat(step.poll(coordinator, STOP, STARTED.plus(TIMEOUT).plusSeconds(1)))
        .isEqualTo(SavepointVerdict.failed("no result within PT10M (connection refused)"));
  }

  @Test
  void aSavepointStillInProgressAfterTheTimeoutHasFailed() {
    step.poll(coordinator, STOP, STARTED);

    assertThat(step.poll(coordinator, STOP, STARTED.plus(TIMEOUT).plusSeconds(1)))
        .isEqualTo(SavepointVerdict.failed("no result within PT10M"));
  }

  @Test
  void aCompletedSavepointCountsEvenWhenItsAnswerComesAfterTheTimeout() {
    SavepointVerdict verdict =
        SavepointVerdict.judge(
            STOP,
            new SavepointOutcome(
                STOP.requestId(), SavepointOutcome.State.COMPLETED, "s3://b/sp", 1, null),
            null,
            STARTED.plus(Duration.ofHours(1)),
            TIMEOUT);

    assertThat(verdict.completed()).isTrue();
    assertThat(verdict.path()).isEqualTo("s3://b/sp");
  }

  /** Answers savepoint calls from a map, records them; IN_PROGRESS once triggered. */
  private static final class ScriptedCoordinator implements CoordinatorClient {
    final List<String> calls = new ArrayList<>();
    final Map<String, SavepointOutcome> operations = new HashMap<>();
    boolean unreachable;

    @Override
    public JobObservation jobStatus() {
      throw new UnsupportedOperationException();
    }

    @Override
    public SavepointOutcome triggerSavepoint(String requestId, boolean stop) {
      calls.add("trigger " + requestId + " stop=" + stop);
      return operations.computeIfAbsent(
          requestId,
          id -> new SavepointOutcome(id, SavepointOutcome.State.IN_PROGRESS, null, 0, null));
    }

    @Override
    public SavepointOutcome savepoint(String requestId) {
      if (unreachable) {
        throw new CoordinatorUnavailableException("connection refused", null);
      }
      calls.add("get " + requestId);
      return operations.getOrDefault(requestId, SavepointOutcome.unknown(requestId));
    }

    @Override
    public void disposeSavepoint(String path) {
      throw new UnsupportedOperationException();
    }
  }
}
