package dev.weir.cli;

import dev.weir.config.JobSpec;
import dev.weir.runner.JobRunner;
import dev.weir.usercode.UserCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weir-worker coordinator FILE.yaml --job-id ID}: the job master and checkpoint coordinator
 * of a job whose workers connect to {@code --port}. Restarted with the same job id, it continues
 * from the latest completed checkpoint in storage.
 */
@Command(name = "coordinator", description = "Run the coordinator of a job; workers connect to it.")
final class CoordinatorCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "StreamingJob manifest")
  Path manifest;

  @Option(
      names = "--job-id",
      defaultValue = "${env:WEIR_JOB_ID}",
      required = true,
      converter = JobIdConverter.class,
      description = "the job's directory in checkpoint storage (env WEIR_JOB_ID)")
  String jobId;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "address to listen on")
  String bind;

  @Option(
      names = "--port",
      defaultValue = "6123",
      converter = PortConverter.class,
      description = "port of the workers' control streams and of the gRPC API (savepoint, stop)")
  int port;

  @Option(
      names = "--http-port",
      defaultValue = "8081",
      converter = PortConverter.class,
      description =
          "port of the HTTP endpoints: /, /api/v1/checkpoints, /api/v1/state, /metrics, /healthz")
  int httpPort;

  @Option(
      names = "--heartbeat-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "a worker silent this long is considered lost")
  Duration heartbeatTimeout;

  @Option(names = "--work-dir", description = "local scratch directory (default: a temp dir)")
  Path workDir;

  @Option(names = "--quiet", description = "no progress lines, only the final RESULT line")
  boolean quiet;

  @Option(
      names = "--linger",
      description =
          "after the job ends (finished, stopped with a savepoint, failed), keep serving its status"
              + " and API until terminated, instead of exiting (what a pod wants: an exit would"
              + " restart the coordinator and with it the job)")
  boolean linger;

  @Mixin RestoreOptions restore;

  @Override
  public Integer call() throws Exception {
    JobSpec spec = restore.applyTo(Manifests.read(manifest));
    Path scratch = workDir != null ? workDir : Files.createTempDirectory("weir-coordinator-");
    JobRunner.Workers workers = new JobRunner.Workers.Remote(bind, port, heartbeatTimeout);
    CountDownLatch lingering = new CountDownLatch(1);
    try (UserCode userCode = Manifests.loadJob(manifest, spec, scratch)) {
      Manifests.probeStorage(manifest, spec);
      return run(spec, scratch, workers, userCode, lingering);
    }
  }

  private int run(
      JobSpec spec,
      Path scratch,
      JobRunner.Workers workers,
      UserCode userCode,
      CountDownLatch lingering)
      throws Exception {
    try (ShutdownSignal signal = new ShutdownSignal(LocalCommand.SHUTDOWN_GRACE);
        JobRunner runner = LocalCommand.open(spec, jobId, scratch, workers, userCode, bind, port)) {
      signal.onSignal(
          () -> {
            runner.cancel();
            lingering.countDown();
          });
      URI http;
      try {
        http = runner.startHttp(bind, httpPort);
      } catch (IOException e) {
        throw StartupError.cannotListen("--http-port", bind, httpPort, e);
      }
      System.err.printf(
          "weir-worker %s: coordinator of %s (%s, job id %s) listening on %s:%d for %d workers;"
              + " http on %s%n",
          WeirCommand.version(),
          spec.name(),
          userCode.describe(),
          jobId,
          bind,
          runner.controlPort(),
          spec.parallelism(),
          http);
      int exit = JobConsole.runToEnd(runner, quiet);
      if (linger) {
        userCode.close(); // the job has ended: only its status is served from now on
        System.err.println("job ended; serving its status until terminated (--linger)");
        lingering.await();
      }
      return exit;
    }
  }
}
