package dev.weir.cli;

import dev.weir.config.Durations;
import dev.weir.config.JobSpec;
import dev.weir.runner.JobRunner;
import dev.weir.runner.WorkerProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * --in-process}, every task as a thread here) — until a bounded job finishes (exit 0) or Ctrl-C
 * (exit 130), printing progress every second.
 */
@Command(
    name = "local",
    aliases = "run",
    description = "Run a StreamingJob manifest on this machine (alias: run).")
final class LocalCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "StreamingJob manifest")
  Path manifest;

  @Option(
      names = "--job-id",
      description =
          "directory of this run in checkpoint storage " + "(default: <name>-<timestamp>)")
  String jobId;

  @Option(names = "--work-dir", description = "local scratch directory (default: a temp dir)")
  Path workDir;

  @Option(
      names = "--in-process",
      description =
          "run every task as a thread of this process " + "instead of worker child processes")
  boolean inProcess;

  @Option(
      names = "--heartbeat-timeout",
      defaultValue = "5s",
      description = "a worker silent this long is considered lost (default 5s)")
  String heartbeatTimeout;

  @Option(
      names = "--http-port",
      defaultValue = "0",
      description =
          "port of the checkpoint page, metrics and state queries on 127.0.0.1"
              + " (0 = any free port)")
  int httpPort;

  @Option(
      names = "--port",
      defaultValue = "0",
      description =
          "port of the coordinator's gRPC API (savepoint, stop) and, with worker processes, of"
              + " their control streams, on 127.0.0.1 (0 = any free port)")
  int port;

  @Option(names = "--quiet", description = "no progress lines, only the final RESULT line")
  boolean quiet;

  @Mixin RestoreOptions restore;

  @Override
  public Integer call() throws Exception {
    JobSpec spec;
    try {
      spec = restore.applyTo(Manifests.loadAndProbeStorage(manifest));
    } catch (Manifests.Unusable e) {
      System.err.println(e.getMessage());
      return 2;
    }
    String id =
        jobId != null
            ? jobId
            : spec.name()
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path scratch =
        workDir != null ? workDir : Files.createTempDirectory("weir-" + spec.name() + "-");
    System.err.printf(
        "weir-worker %s: running %s (%s, parallelism %d, %s state, %s, checkpoints every %d ms to %s/%s)%n",
        WeirCommand.version(),
        spec.name(),
        spec.entryClass(),
        spec.parallelism(),
        spec.stateBackend().id(),
        inProcess ? "tasks in this process" : spec.parallelism() + " worker processes",
        spec.checkpoints().interval().toMillis(),
        spec.storage().describe(),
        id);
    if (inProcess) {
      try (JobRunner runner =
          new JobRunner(spec, id, scratch, new JobRunner.Workers.InProcess(port))) {
        printApi(runner);
        System.err.println(
            "checkpoint page and metrics: " + runner.startHttp("127.0.0.1", httpPort));
        return JobConsole.runToEnd(runner, quiet);
      }
    }
    JobRunner.Workers workers =
        new JobRunner.Workers.Remote("127.0.0.1", port, Durations.parse(heartbeatTimeout));
    try (JobRunner runner = new JobRunner(spec, id, scratch.resolve("coordinator"), workers);
        WorkerProcesses processes =
            new WorkerProcesses(
                spec.parallelism(), manifest, "127.0.0.1:" + runner.controlPort(), id, scratch)) {
      System.err.println("worker logs: " + processes.logDir().resolve("worker-<i>.log"));
      printApi(runner);
      System.err.println("checkpoint page and metrics: " + runner.startHttp("127.0.0.1", httpPort));
      return JobConsole.runToEnd(runner, quiet);
    }
  }

  private static void printApi(JobRunner runner) {
    System.err.println(
        "coordinator API (savepoint, stop): --coordinator 127.0.0.1:" + runner.controlPort());
  }
}
