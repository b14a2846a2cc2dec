package dev.weir.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.checkpoint.CompletedCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SavepointOperationsTest {
  private final List<CompletableFuture<CompletedCheckpoint>> triggered = new ArrayList<>();
  private final SavepointOperations operations =
      new SavepointOperations(
          stop -> {
            CompletableFuture<CompletedCheckpoint> savepoint = new CompletableFuture<>();
            triggered.add(savepoint);
            return savepoint;
          },
          () -> 1_000);

  @Test
  void aFinishedOutcomeIsAwaitedUntilItsCallerFetchedIt() throws Exception {
    operations.trigger("stop-1", true);
    triggered.get(0).completeExceptionally(new IllegalStateException("declined"));

    // the job has ended with the stop; its caller polls for the outcome every 100 ms
    assertThat(operations.awaitOutcomesFetched(Duration.ZERO)).isFalse();

    assertThat(operations.get("stop-1").state()).isEqualTo(SavepointOperations.State.FAILED);
    assertThat(operations.awaitOutcomesFetched(Duration.ZERO)).isTrue();
  }

  @Test
  void anOperationInProgressIsAwaitedToo() throws Exception {
    operations.trigger("sp-1", false);

    assertThat(operations.get("sp-1").state()).isEqualTo(SavepointOperations.State.IN_PROGRESS);
    assertThat(operations.awaitOutcomesFetched(Duration.ofMillis(1))).isFalse();
  }

  @Test
  void aRepeatedTriggerFetchesTheOutcomeOfTheFirst() throws Exception {
    operations.trigger("sp-1", false);
    triggered.get(0).completeExceptionally(new IllegalStateException("declined"));

    assertThat(operations.trigger("sp-1", false).state())
        .isEqualTo(SavepointOperations.State.FAILED);
    assertThat(triggered).hasSize(1);
    assertThat(operations.awaitOutcomesFetched(Duration.ZERO)).isTrue();
  }

  @Test
  void withNoRequestThereIsNothingToAwait() throws Exception {
    assertThat(operations.awaitOutcomesFetched(Duration.ZERO)).isTrue();
  }
}
