package dev.weir.testbed;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A server program run as a child process of the test JVM: started from one fixed command, waited
 * for until it serves (failing early, with the end of its log, when it exits), SIGKILLed and
 * started again with the same command. Everything it prints is appended to one log file, across
 * restarts. A JVM shutdown hook kills it if its fixture is never closed.
 *
 * <p>Owned by the fixture that made it; the lifecycle methods are synchronized, so a test may kill
 * the server from another thread.
 */
final class ServerProcess {
  private static final int LOG_LINES_IN_ERRORS = 40;

  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private final Duration startupTimeout;
  private final Poll.Condition serving;
  // Without the lock: the JVM may exit while a test thread waits in start().
  private final Thread killOnExit = new Thread(() -> destroy(this.process));
  private volatile Process process;
  private boolean hooked;

  ServerProcess(
      String name,
      List<String> command,
      Map<String, String> environment,
      Path log,
      Duration startupTimeout,
      Poll.Condition serving) {
    this.name = name;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.log = log;
    this.startupTimeout = startupTimeout;
    this.serving = serving;
  }

  /** Starts the process (killing a running one first) and returns once it serves. */
  synchronized void start() {
    kill();
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    if (!hooked) {
      Runtime.getRuntime().addShutdownHook(killOnExit);
      hooked = true;
    }
    awaitReady();
  }

  private void awaitReady() {
    try {
      Poll.until(
          name + " to serve",
          startupTimeout,
          () -> {
            if (!process.isAlive()) {
              throw new Poll.GiveUp(
                  name + " exited with " + process.exitValue() + " while starting");
            }
            return serving.holds();
          });
    } catch (RuntimeException e) {
      throw new IllegalStateException(e.getMessage() + logTail(), e);
    }
  }

  /** SIGKILLs the process and waits until it is gone; nothing happens when it is not running. */
  synchronized void kill() {
    if (process != null && process.isAlive()) {
      destroy(process);
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void destroy(Process process) {
    if (process != null) {
      process.destroyForcibly(); // SIGKILL on Linux
    }
  }

  /** Kills the process for good: the shutdown hook is no longer needed. */
  synchronized void close() {
    kill();
    if (hooked) {
      try {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) anyway
      }
      hooked = false;
    }
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The process id of the running server (its JVM, for a Java server started through exec). */
  synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException(name + " was never started");
    }
    return process.pid();
  }

  Path log() {
    return log;
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> tail =
          lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size());
      return "; last lines of " + log + ":\n" + String.join("\n", tail);
    } catch (IOException | UncheckedIOException e) {
      return "; log " + log + " unreadable: " + e;
    }
  }
}
