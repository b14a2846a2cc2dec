package dev.weir.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM or SIGINT (Ctrl-C) to a process running a job in the foreground: the JVM runs its
 * shutdown hooks and halts once they return, whatever the main thread is doing. So the hook does
 * not just start the cancellation, it also waits (at most {@code grace}) until the command has
 * finished: its {@code RESULT} line printed, its worker processes stopped, its resources closed.
 * Without that wait the JVM halted in the middle of all three, and left orphaned workers behind.
 *
 * <p>Threading: {@link #onSignal} and {@link #close()} are called by the command's thread; the
 * action runs on the JVM's shutdown hook thread (or on the command's, when the signal came first);
 * the action and whether a signal came are guarded by this object's monitor.
 */
final class ShutdownSignal implements AutoCloseable {
  private final Duration grace;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook = new Thread(this::signalled, "shutdown");
  private Runnable action = () -> {}; // guarded by this
  private boolean signalled; // guarded by this

  /**
   * @param grace longest time the hook waits for the command to finish after the action
   */
  ShutdownSignal(Duration grace) {
    this.grace = grace;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * What a signal does, e.g. stop restarting workers and cancel the job; runs at once when the
   * signal came before (while the command was still starting).
   */
  void onSignal(Runnable action) {
    boolean now;
    synchronized (this) {
      this.action = action;
      now = signalled;
    }
    if (now) {
      action.run();
    }
  }

  private void signalled() {
    Runnable now;
    synchronized (this) {
      signalled = true;
      now = action;
    }
    now.run();
    try {
      finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The command has finished (printed and closed everything): the process may end now. */
  @Override
  public void close() {
    System.out.flush();
    System.err.flush();
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running and returns now
    }
  }
}
