package dev.weir.concurrent;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MainThreadExecutor} on one real daemon thread and the system clock.
 *
 * <p>An exception escaping an action leaves the state the thread owns in an unknown condition (an
 * action stopped half-way, scheduled work that will never run again): it is logged and handed to
 * the failure handler, whose owner decides the end of the job — never swallowed, or a job could
 * wait forever for a step that died (a job id that is no valid storage path left a coordinator in
 * CREATED for good).
 */
public final class SingleThreadMainExecutor implements MainThreadExecutor, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SingleThreadMainExecutor.class);

  private final ScheduledExecutorService executor;
  private final Consumer<Throwable> onUnexpectedFailure;
  private volatile Thread thread;

  /** An executor whose unexpected failures are only logged (tests that provoke none). */
  public SingleThreadMainExecutor(String name) {
    this(name, failure -> {});
  }

  /**
   * @param onUnexpectedFailure told, on the main thread, of every exception that escaped an action
   */
  public SingleThreadMainExecutor(String name, Consumer<Throwable> onUnexpectedFailure) {
    this.onUnexpectedFailure = onUnexpectedFailure;
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              thread = t;
              return t;
            });
    pool.setRemoveOnCancelPolicy(true);
    // Task, worker and gRPC threads report to the job master until they notice it is gone: what
    // arrives after close has no one left to act on it, and must not fail the thread that sent it.
    pool.setRejectedExecutionHandler(
        (action, rejecting) -> LOG.debug("closed; dropped {}", action));
    this.executor = pool;
  }

  @Override
  public void execute(Runnable action) {
    executor.execute(guarded(action));
  }

  @Override
  public Cancellable schedule(Runnable action, Duration delay) {
    var future = executor.schedule(guarded(action), delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  private Runnable guarded(Runnable action) {
    return () -> {
      try {
        action.run();
      } catch (RuntimeException | Error e) {
        // an escaped exception would silently kill scheduled work; make it loud instead
        LOG.error("unexpected failure on the main thread", e);
        onUnexpectedFailure.accept(e);
      }
    };
  }

  @Override
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public boolean isMainThread() {
    return Thread.currentThread() == thread;
  }

  /** Stops the thread; actions handed over afterwards are dropped. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
