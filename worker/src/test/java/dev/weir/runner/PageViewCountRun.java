package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.connectors.ExactlyOnceFileSink;
import dev.weir.runtime.JobStatus;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built-in PageViewCount job locally from a manifest and reads its committed output: the
 * shared machinery of the recovery tests.
 */
final class PageViewCountRun {
  final long events;
  final int keys;
  String mode = "EXACTLY_ONCE";
  String backend = "heap";
  boolean incremental;
  int parallelism = 2;
  int injectFailures;
  int restartAttempts = -1;
  long rate = 10_000;
  String interval = "100ms";
  String checkpointTimeout = "30s";
  int tolerableFailures;
  boolean unaligned;
  String alignedCheckpointTimeout;
  long sinkRate;
  long sinkSlowRecords = Long.MAX_VALUE;
  String storageYaml;

  /** Appended to the checkpointing settings, e.g. {@code ", incremental: true"}. */
  String checkpointingExtra = "";

  String output;
  String endpoint;
  String initialSavepoint;
  JobRunner runner;

  PageViewCountRun(long events, int keys) {
    this.events = events;
    this.keys = keys;
  }

  String manifest() {
    return """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: pv-test}
        spec:
          parallelism: %d
          job:
            entryClass: dev.weir.jobs.PageViewCount
            args: [--events, "%d", --keys, "%d", --rate, "%d", --inject-failures, "%d", --output, "%s", --sink-rate, "%d", --sink-slow-records, "%d"]
          checkpointing: {interval: %s, mode: %s, timeout: %s, retained: 2, tolerableFailures: %d, unaligned: %s%s, incremental: %s%s}
          stateBackend: %s
          storage: %s
          restartStrategy: {type: fixed-delay, attempts: %d, delay: 50ms}
        """
            .formatted(
                parallelism,
                events,
                keys,
                rate,
                injectFailures,
                output,
                sinkRate,
                sinkSlowRecords,
                interval,
                mode,
                checkpointTimeout,
                tolerableFailures,
                unaligned,
                alignedCheckpointTimeout == null
                    ? ""
                    : ", alignedCheckpointTimeout: " + alignedCheckpointTimeout,
                incremental,
                checkpointingExtra,
                backend,
                storageYaml,
                restartAttempts >= 0 ? restartAttempts : injectFailures + 2)
        + (initialSavepoint == null ? "" : "  initialSavepointPath: '" + initialSavepoint + "'\n");
  }

  /** The validated spec of {@link #manifest()}, its storage probed. */
  JobSpec spec() throws Exception {
    JobSpec spec = new ManifestValidator(System::getenv).validate(manifest(), "test manifest");
    spec.storage().probe();
    return spec;
  }

  /** Runs to the end and returns the final status. */
  JobStatus run(Path workDir) throws Exception {
    JobSpec spec = new ManifestValidator(System::getenv).validate(manifest(), "test manifest");
    spec.storage().probe();
    if (endpoint != null) {
      System.setProperty("weir.s3.endpoint", endpoint);
    }
    runner =
        new JobRunner(spec, "pv-" + UUID.randomUUID(), Files.createTempDirectory(workDir, "run"));
    try {
      return runner.start().get(3, TimeUnit.MINUTES);
    } finally {
      runner.close();
    }
  }

  /** The committed lines grouped by app, each app's counts in output order. */
  Map<Integer, List<Long>> committedCountsPerApp() throws Exception {
    Map<Integer, List<Long>> perApp = new LinkedHashMap<>();
    try (CheckpointStorage out = StorageLocation.parse(output, endpoint).open()) {
      for (String line : ExactlyOnceFileSink.readCommitted(out)) {
        String[] parts = line.split(",");
        perApp
            .computeIfAbsent(Integer.parseInt(parts[0]), k -> new ArrayList<>())
            .add(Long.parseLong(parts[1]));
      }
    }
    return perApp;
  }

  /** Every app has exactly 1, 2, ..., events/keys: no gap, no repeat. */
  void assertExactlyOnce() throws Exception {
    Map<Integer, List<Long>> perApp = committedCountsPerApp();
    assertThat(perApp).hasSize(keys);
    List<Long> expected = new ArrayList<>();
    for (long c = 1; c <= events / keys; c++) {
      expected.add(c);
    }
    perApp.forEach(
        (app, counts) ->
            assertThat(counts)
                .as("counts of app %d: %s", app, describe(counts))
                .isEqualTo(expected));
  }

  /** Repeats and gaps of a key's counts, for failure messages (the lists are long). */
  static String describe(List<Long> counts) {
    java.util.TreeMap<Long, Integer> seen = new java.util.TreeMap<>();
    counts.forEach(c -> seen.merge(c, 1, Integer::sum));
    List<Long> repeated = new ArrayList<>();
    List<Long> missing = new ArrayList<>();
    long max = seen.isEmpty() ? 0 : seen.lastKey();
    for (long c = 1; c <= max; c++) {
      Integer n = seen.get(c);
      if (n == null && missing.size() < 20) {
        missing.add(c);
      } else if (n != null && n > 1 && repeated.size() < 20) {
        repeated.add(c);
      }
    }
    return counts.size()
        + " counts, highest "
        + max
        + ", repeated "
        + repeated
        + ", missing "
        + missing;
  }

  /**
   * Every app has each of 1, 2, ..., events/keys exactly once, in whatever order the output files
   * hold them (after a change of parallelism an app's counts move between subtasks' files).
   */
  void assertExactlyOnceInAnyOrder() throws Exception {
    Map<Integer, List<Long>> perApp = committedCountsPerApp();
    assertThat(perApp).hasSize(keys);
    List<Long> expected = new ArrayList<>();
    for (long c = 1; c <= events / keys; c++) {
      expected.add(c);
    }
    perApp.forEach(
        (app, counts) ->
            assertThat(counts.stream().sorted().toList())
                .as("counts of app %d", app)
                .isEqualTo(expected));
  }

  /**
   * Every app's counts form a contiguous run 1..M with M >= events/keys: no gap. Repeats, and with
   * them counts beyond events/keys, are allowed: at-least-once state may include a record that is
   * replayed after a recovery.
   */
  void assertAtLeastOnce() throws Exception {
    Map<Integer, List<Long>> perApp = committedCountsPerApp();
    assertThat(perApp).hasSize(keys);
    perApp.forEach(
        (app, counts) -> {
          List<Long> distinct = counts.stream().distinct().sorted().toList();
          long max = distinct.get(distinct.size() - 1);
          assertThat(max).as("highest count of app %d", app).isGreaterThanOrEqualTo(events / keys);
          assertThat(distinct).as("distinct counts of app %d", app).hasSize((int) max);
        });
  }

  static Duration timeout() {
    return Duration.ofMinutes(3);
  }
}
