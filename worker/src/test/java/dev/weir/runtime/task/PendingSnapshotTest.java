package dev.weir.runtime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.OperatorStateStore;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.SubtaskSnapshot;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The asynchronous part of a snapshot: sink uploads and keyed state side by side. */
class PendingSnapshotTest {
  private final ExecutorService io = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    io.shutdownNow();
  }

  /** A sink whose upload waits for {@code release}, then fails if {@code failure} is set. */
  private static Sink<Object> sink(CountDownLatch release, IOException failure) {
    return new Sink<>() {
      @Override
      public void open(RuntimeContext context, OperatorStateStore state) {}

      @Override
      public void write(Object record) {}

      @Override
      public void snapshotStateAsync(long checkpointId) throws Exception {
        release.await();
        if (failure != null) {
          throw failure;
        }
      }
    };
  }

  private static PendingSnapshot pending(Sink<Object> sink) {
    return new PendingSnapshot(
        9,
        Map.of("sink", List.of(OperatorStateHandle.newBuilder().setName("pending").build())),
        Map.of(),
        List.of(sink),
        1);
  }

  @Test
  void completesOnlyOnceTheSinkUploadIsDoneWithEveryOperatorDescribed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Map<String, SubtaskSnapshot>> done =
        pending(sink(release, null)).complete(io);

    assertThatThrownBy(() -> done.get(200, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    release.countDown();

    Map<String, SubtaskSnapshot> operators = done.get(10, TimeUnit.SECONDS);
    assertThat(operators).containsOnlyKeys("sink");
    assertThat(operators.get("sink").getSubtaskIndex()).isEqualTo(1);
    assertThat(operators.get("sink").getOperatorState(0).getName()).isEqualTo("pending");
  }

  @Test
  void aFailedSinkUploadFailsTheSnapshotWithItsCause() {
    CountDownLatch release = new CountDownLatch(0);
    IOException failure = new IOException("storage unreachable");
    CompletableFuture<Map<String, SubtaskSnapshot>> done =
        pending(sink(release, failure)).complete(io);

    assertThatThrownBy(() -> done.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCause(failure);
  }
}
