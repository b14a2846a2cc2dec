package dev.weir.cli;

import dev.weir.config.JobSpec;
import dev.weir.runner.JobRunner;
import dev.weir.runner.WorkerProcesses;
import dev.weir.usercode.UserCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weir-worker local FILE.yaml}: runs a StreamingJob manifest on this machine — the
 * coordinator in this process and one worker child process per subtask index (or, with {@code
 * --in-process}, every task as a thread here) — until a bounded job finishes (exit 0), is stopped
 * with a savepoint (exit 0), or SIGINT/SIGTERM cancels it (exit 130/143), printing progress every
 * second and a {@code RESULT} line at the end. The worker processes never outlive this one: they
 * are stopped before it exits and end by themselves when it is killed ({@code --parent-pid}).
 *
 * <p>Threading: runs on the command's thread; a signal cancels from the shutdown hook.
 */
@Command(
    name = "local",
    aliases = "run",
    description = "Run a StreamingJob manifest on this machine (alias: run).")
final class LocalCommand implements Callable<Integer> {

  /** How long a signal waits for the RESULT line and the workers' end before the JVM halts. */
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "StreamingJob manifest")
  Path manifest;

  @Option(
      names = "--job-id",
      converter = JobIdConverter.class,
      description =
          "directory of this run in checkpoint storage (default: <metadata.name>-<timestamp>)")
  String jobId;

  @Option(names = "--work-dir", description = "local scratch directory (default: a temp dir)")
  Path workDir;

  @Option(
      names = "--in-process",
      description = "run every task as a thread of this process instead of worker child processes")
  boolean inProcess;

  @Option(
      names = "--heartbeat-timeout",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "a worker silent this long is considered lost")
  Duration heartbeatTimeout;

  @Option(
      names = "--http-port",
      defaultValue = "0",
      converter = PortConverter.class,
      description =
          "port of the checkpoint page, metrics and state queries on 127.0.0.1"
              + " (0 = any free port)")
  int httpPort;

  @Option(
      names = "--port",
      defaultValue = "0",
      converter = PortConverter.class,
      description =
          "port of the coordinator's gRPC API (savepoint, stop) and, with worker processes, of"
              + " their control streams, on 127.0.0.1 (0 = any free port)")
  int port;

  @Option(names = "--quiet", description = "no progress lines, only the final RESULT line")
  boolean quiet;

  @Mixin RestoreOptions restore;

  @Override
  public Integer call() throws Exception {
    JobSpec spec = restore.applyTo(Manifests.read(manifest));
    String id =
        jobId != null
            ? jobId
            : spec.name()
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path scratch =
        workDir != null ? workDir : Files.createTempDirectory("weir-" + spec.name() + "-");
    // the worker processes find a fetched jar in the same work directory's cache
    try (UserCode userCode = Manifests.loadJob(manifest, spec, scratch)) {
      Manifests.probeStorage(manifest, spec);
      System.err.printf(
          "weir-worker %s: running %s (%s, parallelism %d, %s state, %s, checkpoints every %d ms to %s/%s)%n",
          WeirCommand.version(),
          spec.name(),
          userCode.describe(),
          spec.parallelism(),
          spec.stateBackend().id(),
          inProcess ? "tasks in this process" : spec.parallelism() + " worker processes",
          spec.checkpoints().interval().toMillis(),
          spec.storage().describe(),
          id);
      return run(spec, id, scratch, userCode);
    }
  }

  private int run(JobSpec spec, String id, Path scratch, UserCode userCode) throws Exception {
    try (ShutdownSignal signal = new ShutdownSignal(SHUTDOWN_GRACE)) {
      if (inProcess) {
        try (JobRunner runner =
            open(
                spec,
                id,
                scratch,
                new JobRunner.Workers.InProcess(port),
                userCode,
                "127.0.0.1",
                port)) {
          signal.onSignal(runner::cancel);
          printApi(runner);
          System.err.println("checkpoint page and metrics: " + startHttp(runner, httpPort));
          return JobConsole.runToEnd(runner, quiet);
        }
      }
      JobRunner.Workers workers = new JobRunner.Workers.Remote("127.0.0.1", port, heartbeatTimeout);
      // closed in this order: the coordinator first, so that the workers it lets go are no loss;
      // then the worker processes
      try (WorkerProcesses processes =
              new WorkerProcesses(spec.parallelism(), manifest, id, scratch);
          JobRunner runner =
              open(
                  spec, id, scratch.resolve("coordinator"), workers, userCode, "127.0.0.1", port)) {
        signal.onSignal(
            () -> {
              processes.stopRestarting();
              runner.cancel();
            });
        processes.start("127.0.0.1:" + runner.controlPort());
        System.err.println("worker logs: " + processes.logDir().resolve("worker-<i>.log"));
        printApi(runner);
        System.err.println("checkpoint page and metrics: " + startHttp(runner, httpPort));
        return JobConsole.runToEnd(runner, quiet);
      }
    }
  }

  /** The job's coordinator, or a {@link StartupError} when {@code --port} is taken. */
  static JobRunner open(
      JobSpec spec,
      String id,
      Path scratch,
      JobRunner.Workers workers,
      UserCode userCode,
      String host,
      int port)
      throws StartupError {
    try {
      return new JobRunner(spec, id, scratch, workers, userCode);
    } catch (JobRunner.CannotListenException e) {
      throw StartupError.cannotListen("--port", host, port, e);
    }
  }

  private static URI startHttp(JobRunner runner, int httpPort) throws StartupError {
    try {
      return runner.startHttp("127.0.0.1", httpPort);
    } catch (IOException e) {
      throw StartupError.cannotListen("--http-port", "127.0.0.1", httpPort, e);
    }
  }

  private static void printApi(JobRunner runner) {
    System.err.println(
        "coordinator API (savepoint, stop): --coordinator 127.0.0.1:" + runner.controlPort());
  }
}
