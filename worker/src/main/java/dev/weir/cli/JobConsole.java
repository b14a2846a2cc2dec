package dev.weir.cli;

import dev.weir.checkpoint.CheckpointStats;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.runner.JobRunner;
import dev.weir.runtime.JobMaster;
import dev.weir.runtime.JobStatus;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a started job to its end in the foreground: one progress line per second on stderr, a final
 * {@code RESULT} line on stdout. Returns the process exit code: 0 finished, 1 failed (also when the
 * job master failed unexpectedly: the message goes to stderr), 130 cancelled. Cancelling on a
 * signal is the command's ({@link ShutdownSignal}).
 *
 * <p>Threading: runs on the command's thread; reads the job master's thread-safe views.
 */
final class JobConsole {
  private JobConsole() {}

  static int runToEnd(JobRunner runner, boolean quiet) throws InterruptedException {
    PrintStream err = System.err;
    long start = System.nanoTime();
    var result = runner.start();
    Progress progress = new Progress(runner.jobMaster(), err);
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
    CheckpointStats stats = master.checkpointStats();
    List<Long> durations = new ArrayList<>(runner.checkpointDurationsMillis());
    durations.sort(null);
    List<Long> completions = new ArrayList<>(runner.checkpointCompletionMillis());
    completions.sort(null);
    long records = master.sourceRecords();
    System.out.printf(
        "RESULT status=%s records=%d elapsedMs=%d runningMs=%d recordsPerSec=%.0f restarts=%d "
            + "checkpoints[completed=%d failed=%d p50Ms=%d p99Ms=%d maxMs=%d completeP50Ms=%d"
            + " lastSizeBytes=%d] storage=%s/%s%n",
        status,
        records,
        elapsedMs,
        runningMs,
        records * 1000.0 / Math.max(1, runningMs),
        master.attempt(),
        stats.completed(),
        stats.failed(),
        percentile(durations, 50),
        percentile(durations, 99),
        percentile(durations, 100),
        percentile(completions, 50),
        stats.latestCompleted() == null ? 0 : stats.latestCompleted().stateSizeBytes(),
        runner.storage().describe(),
        runner.jobId());
    CompletedCheckpoint savepoint = stats.latestSavepoint();
    if (savepoint != null && status == JobStatus.FINISHED) {
      System.out.println("SAVEPOINT " + savepoint.path());
    }
    System.out.flush();
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
      double rate = Math.max(0, records - lastRecords) * 1e9 / Math.max(1, now - lastNanos);
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
