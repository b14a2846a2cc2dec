package dev.weir.cli;

import dev.weir.checkpoint.CheckpointStats;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.config.InvalidManifestException;
import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.runtime.JobMaster;
import dev.weir.runtime.JobStatus;
import dev.weir.runtime.local.LocalJobRunner;
import dev.weir.storage.StorageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weir-worker local FILE.yaml}: runs a StreamingJob manifest on this machine until a bounded
 * job finishes (exit 0) or Ctrl-C (exit 130), printing progress every second.
 */
@Command(name = "local", description = "Run a StreamingJob manifest on this machine.")
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

  @Option(names = "--quiet", description = "no progress lines, only the final RESULT line")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    JobSpec spec;
    try {
      spec =
          new ManifestValidator(System::getenv)
              .validate(Files.readString(manifest), manifest.toString());
    } catch (IOException e) {
      err.println("cannot read manifest " + manifest + ": " + e.getMessage());
      return 2;
    } catch (InvalidManifestException e) {
      err.println(e.getMessage());
      return 2;
    }
    try {
      spec.storage().probe();
    } catch (StorageException e) {
      err.println("invalid manifest " + manifest + ":\n  - spec.storage: " + e.getMessage());
      return 2;
    }
    if (spec.storageEndpoint() != null && System.getenv("WEIR_S3_ENDPOINT") == null) {
      System.setProperty("weir.s3.endpoint", spec.storageEndpoint()); // for s3:// sink outputs
    }
    String id =
        jobId != null
            ? jobId
            : spec.name()
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path scratch =
        workDir != null ? workDir : Files.createTempDirectory("weir-" + spec.name() + "-");
    err.printf(
        "weir-worker %s: running %s (%s, parallelism %d, %s state, checkpoints every %d ms to %s/%s)%n",
        WeirCommand.version(),
        spec.name(),
        spec.entryClass(),
        spec.parallelism(),
        spec.stateBackend().id(),
        spec.checkpoints().interval().toMillis(),
        spec.storage().describe(),
        id);
    try (LocalJobRunner runner = new LocalJobRunner(spec, id, scratch)) {
      Thread hook = new Thread(runner::cancel, "ctrl-c");
      Runtime.getRuntime().addShutdownHook(hook);
      long start = System.nanoTime();
      var result = runner.start();
      Progress progress = new Progress(runner.jobMaster(), err);
      JobStatus status;
      while (true) {
        try {
          status = result.get(1, TimeUnit.SECONDS);
          break;
        } catch (java.util.concurrent.TimeoutException tick) {
          if (!quiet) {
            progress.print();
          }
        }
      }
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running
      }
      printResult(runner, status, elapsedMs);
      if (status == JobStatus.FAILED) {
        Throwable cause = runner.jobMaster().failureCause();
        err.println("job failed: " + (cause == null ? "unknown cause" : cause));
        return 1;
      }
      return status == JobStatus.FINISHED ? 0 : 130;
    }
  }

  private static void printResult(LocalJobRunner runner, JobStatus status, long elapsedMs) {
    JobMaster master = runner.jobMaster();
    CheckpointStats stats = master.checkpointStats();
    List<Long> durations = new ArrayList<>(runner.checkpointDurationsMillis());
    durations.sort(null);
    long records = master.sourceRecords();
    System.out.printf(
        "RESULT status=%s records=%d elapsedMs=%d recordsPerSec=%.0f restarts=%d "
            + "checkpoints[completed=%d failed=%d p50Ms=%d maxMs=%d lastSizeBytes=%d] storage=%s/%s%n",
        status,
        records,
        elapsedMs,
        records * 1000.0 / Math.max(1, elapsedMs),
        master.attempt(),
        stats.completed(),
        stats.failed(),
        percentile(durations, 50),
        percentile(durations, 100),
        stats.latestCompleted() == null ? 0 : stats.latestCompleted().stateSizeBytes(),
        runner.storage().describe(),
        runner.jobId());
  }

  static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /** One progress line per second: throughput, attempt, last checkpoint. */
  private static final class Progress {
    private final JobMaster master;
    private final PrintStream out;
    private long lastRecords;
    private long lastNanos = System.nanoTime();
    private int lastAttempt = -1;

    Progress(JobMaster master, PrintStream out) {
      this.master = master;
      this.out = out;
    }

    void print() {
      long now = System.nanoTime();
      long records = master.sourceRecords();
      if (master.attempt() != lastAttempt) {
        lastRecords = 0;
        lastAttempt = master.attempt();
      }
      double rate = (records - lastRecords) * 1e9 / Math.max(1, now - lastNanos);
      lastRecords = records;
      lastNanos = now;
      CheckpointStats s = master.checkpointStats();
      CompletedCheckpoint last = s.latestCompleted();
      out.printf(
          "%s attempt %d | %,.0f records/s | %,d records | last checkpoint %s | %d completed, %d failed%n",
          master.status(),
          master.attempt(),
          rate,
          records,
          last == null
              ? "-"
              : last.checkpointId()
                  + " ("
                  + last.durationMillis()
                  + " ms, "
                  + last.stateSizeBytes()
                  + " bytes)",
          s.completed(),
          s.failed());
    }
  }
}
