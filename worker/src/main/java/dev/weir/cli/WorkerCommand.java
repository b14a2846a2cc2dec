package dev.weir.cli;

import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.config.JobSpec;
import dev.weir.net.WorkerRuntime;
import dev.weir.runner.JobRunner;
import dev.weir.usercode.UserCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weir-worker worker FILE.yaml --coordinator HOST:PORT --index I --job-id ID}: runs subtask
 * {@code I} of every operator of the job, until it is terminated, its coordinator has been gone for
 * {@code --reconnect-timeout} (exit 1), or the process {@code --parent-pid} ends. Defaults come
 * from the environment a worker pod gets.
 *
 * <p>Threading: the command's thread runs the worker's connection loop; a shutdown hook or the
 * parent's end closes the worker from another thread.
 */
@Command(name = "worker", description = "Run one worker of a job (subtask I of every operator).")
final class WorkerCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "StreamingJob manifest")
  Path manifest;

  @Option(
      names = "--coordinator",
      defaultValue = "${env:WEIR_COORDINATOR}",
      required = true,
      converter = HostAndPort.Converter.class,
      paramLabel = "HOST:PORT",
      description = "the coordinator's control port (env WEIR_COORDINATOR)")
  HostAndPort coordinator;

  @Option(
      names = "--index",
      defaultValue = "${env:WEIR_WORKER_INDEX}",
      required = true,
      paramLabel = "I",
      description = "this worker's index, 0..parallelism-1 (env WEIR_WORKER_INDEX)")
  int index;

  @Option(
      names = "--job-id",
      defaultValue = "${env:WEIR_JOB_ID}",
      required = true,
      converter = JobIdConverter.class,
      description = "the job's directory in checkpoint storage (env WEIR_JOB_ID)")
  String jobId;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "address the data server binds")
  String bind;

  @Option(
      names = "--advertise-host",
      defaultValue = "${env:POD_IP:-127.0.0.1}",
      description = "address other workers reach this one at (env POD_IP)")
  String advertiseHost;

  @Option(
      names = "--data-port",
      defaultValue = "0",
      converter = PortConverter.class,
      description = "data server port (0 = any)")
  int dataPort;

  @Option(
      names = "--reconnect-timeout",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "give up (exit 1) after this long without a coordinator; on Kubernetes the pod is then"
              + " restarted")
  Duration reconnectTimeout;

  @Option(
      names = "--parent-pid",
      paramLabel = "PID",
      description = "end this worker when the process PID ends (local mode passes its own pid)")
  Long parentPid;

  @Option(names = "--work-dir", description = "local scratch directory (default: a temp dir)")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    JobSpec spec = Manifests.read(manifest);
    if (index < 0 || index >= spec.parallelism()) {
      throw new StartupError(
          "--index " + index + " is outside 0.." + (spec.parallelism() - 1) + " (the parallelism)");
    }
    Optional<ProcessHandle> parent = Optional.empty();
    if (parentPid != null) {
      parent = ProcessHandle.of(parentPid).filter(ProcessHandle::isAlive);
      if (parent.isEmpty()) {
        throw new StartupError("--parent-pid " + parentPid + ": no such process");
      }
    }
    Path work = workDir != null ? workDir : Files.createTempDirectory("weir-worker-");
    Path scratch = work.resolve("worker-" + index);
    // in local mode the work directory is shared: a jar fetched by the coordinator is reused
    try (UserCode userCode = Manifests.loadJob(manifest, spec, work)) {
      return run(spec, parent, scratch, userCode);
    }
  }

  private int run(JobSpec spec, Optional<ProcessHandle> parent, Path scratch, UserCode userCode)
      throws Exception {
    CompletedCheckpointStore store = new CompletedCheckpointStore(spec.storage().open(), jobId);
    try (WorkerRuntime worker =
        new WorkerRuntime(
            index,
            coordinator.toString(),
            bind,
            advertiseHost,
            dataPort,
            JobRunner.settings(spec, jobId),
            JobRunner.graphFactory(spec, userCode),
            store,
            JobRunner.backendFactory(spec, store),
            scratch,
            reconnectTimeout)) {
      Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "shutdown"));
      parent.ifPresent(
          p ->
              p.onExit()
                  .thenRun(
                      () -> {
                        System.err.println(
                            "worker "
                                + index
                                + ": parent process "
                                + parentPid
                                + " ended; stopping");
                        worker.close();
                      }));
      if (worker.run() == WorkerRuntime.Ending.COORDINATOR_GONE) {
        System.err.println(
            "worker "
                + index
                + ": no coordinator at "
                + coordinator
                + " for "
                + reconnectTimeout.toMillis()
                + " ms (--reconnect-timeout); giving up");
        return 1;
      }
    }
    return 0;
  }
}
