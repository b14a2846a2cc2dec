package dev.weir.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleThreadMainExecutorTest {

  @Test
  void runsActionsOnItsThreadUntilClosedAndDropsWhatArrivesAfterwardsWithoutFailingTheCaller()
      throws Exception {
    SingleThreadMainExecutor main = new SingleThreadMainExecutor("test-main");
    CountDownLatch ran = new CountDownLatch(1);
    AtomicInteger onMainThread = new AtomicInteger();
    main.execute(
        () -> {
          if (main.isMainThread()) {
            onMainThread.incrementAndGet();
          }
          ran.countDown();
        });
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(onMainThread).hasValue(1);

    main.close();

    AtomicInteger late = new AtomicInteger();
    // a task thread reporting its failure after the job master is gone
    assertThatCode(() -> main.execute(late::incrementAndGet)).doesNotThrowAnyException();
    assertThatCode(() -> main.schedule(late::incrementAndGet, Duration.ZERO).cancel())
        .doesNotThrowAnyException();
    // refused at hand-over (the pool is shut down): nothing was queued that could still run
    assertThat(late).hasValue(0);
  }

  @Test
  void anExceptionEscapingAnActionIsHandedToTheFailureHandlerAndTheThreadGoesOn() throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    SingleThreadMainExecutor main = new SingleThreadMainExecutor("test-main", failure::complete);
    try {
      main.execute(
          () -> {
            throw new IllegalArgumentException("invalid segment '..' in path: ../x/chk-");
          });

      assertThat(failure.get(5, TimeUnit.SECONDS))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("../x");
      CountDownLatch next = new CountDownLatch(1);
      main.execute(next::countDown);
      assertThat(next.await(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      main.close();
    }
  }
}
