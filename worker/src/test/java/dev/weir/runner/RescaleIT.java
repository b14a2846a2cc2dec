package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.config.JobSpec;
import dev.weir.runtime.JobStatus;
import dev.weir.testbed.MinioServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PageViewCount stopped with a savepoint and started again from it at other parallelisms (and other
 * state backends), or killed and started again from its latest retained checkpoint at another
 * parallelism: across the whole history every app's committed counts are exactly 1..N/K.
 */
class RescaleIT {
  private static MinioServer minio;

  @BeforeAll
  static void startMinio() {
    minio =
        MinioServer.start(
            "weir", System.getenv("WEIR_S3_ACCESS_KEY"), System.getenv("WEIR_S3_SECRET_KEY"));
  }

  @AfterAll
  static void stopMinio() {
    minio.close();
  }

  private static PageViewCountRun job(String storage, Path dir) {
    PageViewCountRun run = new PageViewCountRun(120_000, 60);
    run.rate = 4_000; // per source subtask: every step runs for a few seconds
    if (storage.equals("s3")) {
      String prefix = "rescale-" + UUID.randomUUID();
      run.storageYaml =
          "{endpoint: '" + minio.endpoint() + "', bucket: weir, prefix: " + prefix + "/state}";
      run.output = "s3://weir/" + prefix + "/output";
      run.endpoint = minio.endpoint();
    } else {
      run.storageYaml = "{path: '" + dir.resolve("state") + "'}";
      run.output = dir.resolve("output").toString();
    }
    return run;
  }

  /** Starts a job in this process; the caller closes the runner. */
  private static JobRunner start(PageViewCountRun run, Path dir) throws Exception {
    JobSpec spec = run.spec();
    if (run.endpoint != null) {
      System.setProperty("weir.s3.endpoint", run.endpoint);
    }
    return new JobRunner(spec, "pv-" + UUID.randomUUID(), Files.createTempDirectory(dir, "run"));
  }

  /**
   * @param steps "parallelism/backend" per run; every run but the last is stopped with a savepoint
   *     that the next starts from
   */
  @ParameterizedTest(name = "{0} storage: {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "local; 2/heap 3/heap 1/heap 4/heap",
        "local; 2/rocksdb 3/rocksdb 1/rocksdb 4/rocksdb",
        "s3; 2/heap 3/rocksdb 1/heap 4/rocksdb",
        "s3; 2/rocksdb 3/heap 1/rocksdb 4/heap"
      })
  void stopWithSavepointThenRestoreAtOtherParallelismsKeepsOutputExact(
      String storage, String steps, @TempDir Path dir) throws Exception {
    PageViewCountRun run = job(storage, dir);
    String[] plan = steps.trim().split(" ");
    List<String> savepoints = new ArrayList<>();
    for (int i = 0; i < plan.length; i++) {
      String[] step = plan[i].split("/");
      run.parallelism = Integer.parseInt(step[0]);
      run.backend = step[1];
      run.initialSavepoint = savepoints.isEmpty() ? null : savepoints.get(savepoints.size() - 1);
      try (JobRunner runner = start(run, dir)) {
        CompletableFuture<JobStatus> result = runner.start();
        await()
            .atMost(Duration.ofMinutes(1))
            .until(() -> runner.jobMaster().status() != JobStatus.CREATED);
        if (!savepoints.isEmpty()) {
          assertThat(runner.jobMaster().restoredFromPath()).isEqualTo(run.initialSavepoint);
        }
        if (i == plan.length - 1) {
          assertThat(result.get(3, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);
          break;
        }
        awaitCheckpoints(runner, 2);
        CompletedCheckpoint savepoint = runner.triggerSavepoint(true).get(1, TimeUnit.MINUTES);
        assertThat(savepoint.isSavepoint()).isTrue();
        assertThat(result.get(1, TimeUnit.MINUTES))
            .as("status after stop-with-savepoint")
            .isEqualTo(JobStatus.FINISHED);
        assertThat(runner.jobMaster().sourceRecords())
            .as("the job was stopped before its sources ran dry")
            .isLessThan(run.events);
        savepoints.add(savepoint.path());
      }
    }
    assertThat(savepoints).hasSize(plan.length - 1).doesNotHaveDuplicates();
    run.assertExactlyOnceInAnyOrder();
  }

  @ParameterizedTest(name = "{0} state, incremental {1}")
  @CsvSource({"heap, false", "rocksdb, false", "rocksdb, true"})
  void aJobKilledAndStartedAtAnotherParallelismResumesFromItsLatestCheckpoint(
      String backend, boolean incremental, @TempDir Path dir) throws Exception {
    PageViewCountRun run = job("local", dir);
    run.backend = backend;
    run.incremental = incremental;
    String jobId = "last-state-" + UUID.randomUUID();
    int[] parallelisms = {2, 3, 1};
    for (int i = 0; i < parallelisms.length; i++) {
      run.parallelism = parallelisms[i];
      JobSpec spec = run.spec();
      try (JobRunner runner = new JobRunner(spec, jobId, Files.createTempDirectory(dir, "run"))) {
        CompletableFuture<JobStatus> result = runner.start();
        if (i == parallelisms.length - 1) {
          assertThat(result.get(3, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);
          assertThat(runner.jobMaster().restoredCheckpointId()).isNotNull();
          break;
        }
        awaitCheckpoints(runner, 3);
        // no savepoint: the process goes away as if killed (close cancels without committing)
      }
    }
    run.assertExactlyOnceInAnyOrder();
    Path shared = dir.resolve("state").resolve(jobId).resolve("shared");
    if (incremental) {
      try (var files = Files.list(shared)) {
        assertThat(files.count()).as("files under shared/").isPositive();
      }
    } else {
      assertThat(shared).doesNotExist();
    }
  }

  @Test
  void aCorruptSavepointFileFailsTheRestoreNamingTheFile(@TempDir Path dir) throws Exception {
    PageViewCountRun run = job("local", dir);
    run.backend = "rocksdb";
    String savepoint;
    try (JobRunner runner = start(run, dir)) {
      CompletableFuture<JobStatus> result = runner.start();
      awaitCheckpoints(runner, 1);
      savepoint = runner.triggerSavepoint(true).get(1, TimeUnit.MINUTES).path();
      assertThat(result.get(1, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);
    }
    Path stateFile;
    try (var files = Files.walk(Path.of(savepoint))) {
      stateFile =
          files
              .filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().equals("_metadata"))
              .filter(f -> f.toString().contains("count"))
              .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length()))
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(stateFile);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(stateFile, bytes);

    run.parallelism = 3;
    run.initialSavepoint = savepoint;
    try (JobRunner runner = start(run, dir)) {
      assertThat(runner.start().get(1, TimeUnit.MINUTES)).isEqualTo(JobStatus.FAILED);
      assertThat(String.valueOf(rootCause(runner.jobMaster().failureCause())))
          .contains(stateFile.getFileName().toString());
    }
    assertThat(run.committedCountsPerApp().values().stream().mapToInt(List::size).sum())
        .as("nothing committed by the failed start beyond what the stopped job committed")
        .isLessThan((int) run.events);
  }

  @Test
  void aSavepointWithACorruptStateFileFailsTheRestoreWithoutTouchingTheOutputDirectory(
      @TempDir Path dir) throws Exception {
    PageViewCountRun run = job("local", dir);
    String savepoint;
    try (JobRunner runner = start(run, dir)) {
      runner.start();
      awaitCheckpoints(runner, 1);
      CompletedCheckpoint taken = runner.triggerSavepoint(false).get(1, TimeUnit.MINUTES);
      savepoint = taken.path();
      // parts of checkpoints after the savepoint are committed before the job goes away
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> runner.checkpointStats().latestCompleted().id() > taken.checkpointId() + 1);
    }
    Path output = Path.of(run.output);
    Files.writeString(output.resolve("part-another-run-000000009999-0"), "another run\n");
    Files.writeString(output.resolve("part-000000009999-1"), "a part named before writer ids\n");
    Path stateFile;
    try (var files = Files.walk(Path.of(savepoint))) {
      stateFile =
          files
              .filter(Files::isRegularFile)
              .filter(f -> f.toString().contains("count"))
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(stateFile);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(stateFile, bytes);
    Map<String, String> before = contents(output);

    run.parallelism = 3;
    run.initialSavepoint = savepoint;
    try (JobRunner runner = start(run, dir)) {
      assertThat(runner.start().get(1, TimeUnit.MINUTES)).isEqualTo(JobStatus.FAILED);
      assertThat(String.valueOf(runner.jobMaster().failureCause()))
          .contains(stateFile.getFileName().toString());
    }
    assertThat(contents(output))
        .as("every committed part, of this job and of others, is still there, unchanged")
        .isEqualTo(before);
  }

  /** Every file under {@code directory} by relative path, with its content. */
  private static Map<String, String> contents(Path directory) throws Exception {
    Map<String, String> contents = new java.util.TreeMap<>();
    try (var files = Files.walk(directory)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        contents.put(directory.relativize(f).toString(), Files.readString(f));
      }
    }
    return contents;
  }

  @Test
  void aCorruptSavepointMetadataFileIsRefusedBeforeAnyTaskRuns(@TempDir Path dir) throws Exception {
    PageViewCountRun run = job("local", dir);
    String savepoint;
    try (JobRunner runner = start(run, dir)) {
      CompletableFuture<JobStatus> result = runner.start();
      awaitCheckpoints(runner, 1);
      savepoint = runner.triggerSavepoint(true).get(1, TimeUnit.MINUTES).path();
      result.get(1, TimeUnit.MINUTES);
    }
    Path metadata = Path.of(savepoint, "_metadata");
    byte[] bytes = Files.readAllBytes(metadata);
    bytes[bytes.length - 3] ^= 0x11;
    Files.write(metadata, bytes);

    run.initialSavepoint = savepoint;
    try (JobRunner runner = start(run, dir)) {
      assertThat(runner.start().get(1, TimeUnit.MINUTES)).isEqualTo(JobStatus.FAILED);
      assertThat(runner.jobMaster().attempt()).as("no attempt was deployed").isEqualTo(-1);
      assertThat(String.valueOf(runner.jobMaster().failureCause()))
          .contains(metadata.toString())
          .contains("checksum");
    }
  }

  private static void awaitCheckpoints(JobRunner runner, int count) {
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              assertThat(runner.jobMaster().status())
                  .as("job status (failure: %s)", runner.jobMaster().failureCause())
                  .isNotEqualTo(JobStatus.FAILED);
              return runner.checkpointStats().counts().completed() >= count;
            });
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
