package dev.weir.cli;

import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.config.JobSpec;
import dev.weir.net.WorkerRuntime;
import dev.weir.runner.JobRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weir-worker worker FILE.yaml --coordinator HOST:PORT --index I --job-id ID}: runs subtask
 * {@code I} of every operator of the job, for as long as the process lives. Defaults come from the
 * environment a worker pod gets.
 */
@Command(name = "worker", description = "Run one worker of a job (subtask I of every operator).")
final class WorkerCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "StreamingJob manifest")
  Path manifest;

  @Option(
      names = "--coordinator",
      defaultValue = "${env:WEIR_COORDINATOR}",
      required = true,
      description = "host:port of the coordinator's control port (env WEIR_COORDINATOR)")
  String coordinator;

  @Option(
      names = "--index",
      defaultValue = "${env:WEIR_WORKER_INDEX}",
      required = true,
      description = "this worker's index, 0..parallelism-1 (env WEIR_WORKER_INDEX)")
  int index;

  @Option(
      names = "--job-id",
      defaultValue = "${env:WEIR_JOB_ID}",
      required = true,
      description = "the job's directory in checkpoint storage (env WEIR_JOB_ID)")
  String jobId;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "address the data server binds")
  String bind;

  @Option(
      names = "--advertise-host",
      defaultValue = "${env:POD_IP:-127.0.0.1}",
      description = "address other workers reach this one at (env POD_IP)")
  String advertiseHost;

  @Option(names = "--data-port", defaultValue = "0", description = "data server port (0 = any)")
  int dataPort;

  @Option(names = "--work-dir", description = "local scratch directory (default: a temp dir)")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    JobSpec spec;
    try {
      spec = Manifests.load(manifest);
    } catch (Manifests.Unusable e) {
      System.err.println(e.getMessage());
      return 2;
    }
    if (index < 0 || index >= spec.parallelism()) {
      System.err.println("--index " + index + " is outside 0.." + (spec.parallelism() - 1));
      return 2;
    }
    Path scratch =
        (workDir != null ? workDir : Files.createTempDirectory("weir-worker-"))
            .resolve("worker-" + index);
    CompletedCheckpointStore store = new CompletedCheckpointStore(spec.storage().open(), jobId);
    try (WorkerRuntime worker =
        new WorkerRuntime(
            index,
            coordinator,
            bind,
            advertiseHost,
            dataPort,
            JobRunner.settings(spec, jobId),
            JobRunner.graphFactory(spec),
            store,
            JobRunner.backendFactory(spec, store),
            scratch)) {
      Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "shutdown"));
      worker.run();
    }
    return 0;
  }
}
