package dev.weir.bench;

import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.runner.JobRunner;
import dev.weir.runner.WorkerProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures recovery in local mode with worker processes: the time from the SIGKILL of a worker to
 * records flowing again (the sources of the new attempt report records), over several kills.
 *
 * <pre>java -cp worker/target/weir-worker.jar dev.weir.bench.RecoveryBench [kills] [backend]</pre>
 */
public final class RecoveryBench {
  private RecoveryBench() {}

  public static void main(String[] args) throws Exception {
    int kills = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String backend = args.length > 1 ? args[1] : "rocksdb";
    Path dir = Files.createTempDirectory("weir-recovery-bench-");
    String manifest =
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: recovery-bench}
        spec:
          parallelism: 2
          job:
            entryClass: dev.weir.jobs.PageViewCount
            args: [--events, "100000000", --keys, "1000", --rate, "50000", --output, "%s"]
          checkpointing: {interval: 1s}
          stateBackend: %s
          storage: {path: '%s'}
          restartStrategy: {type: fixed-delay, attempts: 1000, delay: 100ms}
        """
            .formatted(dir.resolve("output"), backend, dir.resolve("checkpoints"));
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, manifest);
    JobSpec spec = new ManifestValidator(System::getenv).validate(manifest, "bench");
    List<Long> recoveries = new ArrayList<>();
    try (JobRunner runner =
            new JobRunner(
                spec,
                "bench",
                dir.resolve("coordinator"),
                new JobRunner.Workers.Remote("127.0.0.1", 0, Duration.ofSeconds(5)));
        WorkerProcesses workers =
            new WorkerProcesses(2, file, "127.0.0.1:" + runner.controlPort(), "bench", dir)) {
      runner.start();
      for (int k = 0; k < kills; k++) {
        waitUntil(
            () ->
                runner.checkpointStats().counts().completed() >= 2
                    && runner.jobMaster().sourceRecords() > 0);
        LockSupport.parkNanos(Duration.ofSeconds(2).toNanos()); // run a while before the next kill
        int attempt = runner.jobMaster().attempt();
        long killed = System.nanoTime();
        ProcessHandle.of(workers.pids()[k % 2]).ifPresent(ProcessHandle::destroyForcibly);
        waitUntil(
            () -> runner.jobMaster().attempt() > attempt && runner.jobMaster().sourceRecords() > 0);
        long millis = (System.nanoTime() - killed) / 1_000_000;
        recoveries.add(millis);
        System.out.printf("kill %d: records flowing again after %d ms%n", k + 1, millis);
      }
      runner.cancel();
    }
    recoveries.sort(null);
    System.out.printf(
        "RESULT recovery backend=%s kills=%d p50Ms=%d maxMs=%d all=%s%n",
        backend,
        kills,
        recoveries.get(recoveries.size() / 2),
        recoveries.get(recoveries.size() - 1),
        recoveries);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out");
      }
      LockSupport.parkNanos(5_000_000);
    }
  }
}
