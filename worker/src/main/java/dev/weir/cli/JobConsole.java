package dev.weir.cli;

import dev.weir.runner.JobRunner;
import dev.weir.runtime.JobMaster;
import dev.weir.runtime.JobStatus;
import dev.weir.stats.CheckpointDetails;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.DurationPercentiles;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a started job to its end in the foreground: one progress line per second on stderr, a final
 * {@code RESULT} line on stdout. Returns the process exit code: 0 finished, 1 failed (also when the
 * job master failed unexpectedly: the message goes to stderr), 130 cancelled. Cancelling on a
 * signal is the command's ({@link ShutdownSignal}).
 *
 * <p>Threading: runs on the command's thread; reads the job master's thread-safe views and the
 * checkpoint statistics snapshot that the gRPC API and the HTTP endpoints read too.
 */
final class JobConsole {
  private JobConsole() {}

  static int runToEnd(JobRunner runner, boolean quiet) throws InterruptedException {
    PrintStream err = System.err;
    long start = System.nanoTime();
    var result = runner.start();
    Progress progress = new Progress(runner.jobMaster(), runner::checkpointStats, err);
    JobStatus status;
    Throwable failure = null;
    while (true) {
      try {
        status = result.get(1, TimeUnit.SECONDS);
        break;
      } catch (TimeoutException tick) {
        if (!quiet) {
          progress.print();
        }
      } catch (ExecutionException e) {
        status = JobStatus.FAILED;
        failure = e.getCause();
        break;
      }
    }
    long end = System.nanoTime();
    long elapsedMs = (end - start) / 1_000_000;
    long since = runner.jobMaster().runningSinceNanos();
    long runningMs = since == 0 ? elapsedMs : (end - since) / 1_000_000;
    printResult(runner, status, elapsedMs, runningMs);
    if (status == JobStatus.FAILED) {
      Object cause = failure != null ? failure.getMessage() : runner.jobMaster().failureCause();
      err.println("job failed: " + (cause == null ? "unknown cause" : cause));
      return 1;
    }
    return status == JobStatus.FINISHED ? 0 : 130;
  }

  /**
   * @param elapsedMs wall time of the command
   * @param runningMs since every task was deployed (like Flink's net runtime); records/s use it
   */
  private static void printResult(
      JobRunner runner, JobStatus status, long elapsedMs, long runningMs) {
    JobMaster master = runner.jobMaster();
    CheckpointStatsSnapshot stats = runner.checkpointStats();
    long records = master.sourceRecords();
    System.out.printf(
        "RESULT status=%s records=%d elapsedMs=%d runningMs=%d recordsPerSec=%.0f restarts=%d "
            + "%s storage=%s/%s%n",
        status,
        records,
        elapsedMs,
        runningMs,
        records * 1000.0 / Math.max(1, runningMs),
        master.attempt(),
        checkpointSummary(stats),
        runner.storage().describe(),
        runner.jobId());
    CheckpointDetails savepoint = stats.latestSavepoint();
    if (savepoint != null && status == JobStatus.FINISHED) {
      System.out.println("SAVEPOINT " + savepoint.path());
    }
    System.out.flush();
  }

  /**
   * The RESULT line's checkpoints: counts since the start, percentiles of the completed checkpoints
   * in the statistics' (bounded) history, end-to-end ({@code p50Ms}, {@code p99Ms}, {@code maxMs})
   * and to the metadata written ({@code completeP50Ms}), and the latest checkpoint's size.
   */
  static String checkpointSummary(CheckpointStatsSnapshot stats) {
    DurationPercentiles endToEnd = stats.completedDurations();
    CheckpointDetails latest = stats.latestCompleted();
    return String.format(
        Locale.ROOT,
        "checkpoints[completed=%d failed=%d p50Ms=%d p99Ms=%d maxMs=%d completeP50Ms=%d"
            + " lastSizeBytes=%d]",
        stats.counts().completed(),
        stats.counts().failed(),
        endToEnd.p50Millis(),
        endToEnd.p99Millis(),
        endToEnd.maxMillis(),
        stats.completionDurations().p50Millis(),
        latest == null ? 0 : latest.stateSizeBytes());
  }

  /** One progress line per second: throughput, attempt, last checkpoint. */
  private static final class Progress {
    private final JobMaster master;
    private final Supplier<CheckpointStatsSnapshot> checkpoints;
    private final PrintStream out;
    private long lastRecords;
    private long lastNanos = System.nanoTime();
    private int lastAttempt = -1;

    Progress(JobMaster master, Supplier<CheckpointStatsSnapshot> checkpoints, PrintStream out) {
      this.master = master;
      this.checkpoints = checkpoints;
      this.out = out;
    }

    void print() {
      long now = System.nanoTime();
      long records = master.sourceRecords();
      if (master.attempt() != lastAttempt) {
        lastRecords = 0;
        lastAttempt = master.attempt();
      }
      double rate = Math.max(0, records - lastRecords) * 1e9 / Math.max(1, now - lastNanos);
      lastRecords = records;
      lastNanos = now;
      CheckpointStatsSnapshot s = checkpoints.get();
      CheckpointDetails last = s.latestCompleted();
      out.printf(
          "%s attempt %d | %,.0f records/s | %,d records | last checkpoint %s | %d completed, %d failed%n",
          master.status(),
          master.attempt(),
          rate,
          records,
          last == null
              ? "-"
              : last.id()
                  + " ("
                  + last.completionDurationMillis()
                  + " ms, "
                  + last.stateSizeBytes()
                  + " bytes)",
          s.counts().completed(),
          s.counts().failed());
    }
  }
}
