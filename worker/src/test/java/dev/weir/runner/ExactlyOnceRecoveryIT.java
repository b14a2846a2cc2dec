package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.runtime.JobStatus;
import dev.weir.testbed.MinioServer;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PageViewCount with injected failures, in one process: after every restart all tasks restore the
 * latest completed checkpoint and the sources rewind, so the committed output per app is exactly
 * 1..N/K — for both state backends, with checkpoints and output in a local directory or in a real
 * MinIO.
 */
class ExactlyOnceRecoveryIT {
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

  private PageViewCountRun run(String backend, String storage, Path dir) {
    PageViewCountRun run = new PageViewCountRun(40_000, 20);
    run.backend = backend;
    run.injectFailures = 3;
    if (storage.equals("s3")) {
      String prefix = "it-" + UUID.randomUUID();
      run.storageYaml =
          "{endpoint: '"
              + minio.endpoint()
              + "', bucket: weir, prefix: "
              + prefix
              + "/checkpoints}";
      run.output = "s3://weir/" + prefix + "/output";
      run.endpoint = minio.endpoint();
    } else {
      run.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";
      run.output = dir.resolve("output").toString();
    }
    return run;
  }

  @ParameterizedTest(name = "{0} state, {1} storage")
  @CsvSource({"heap, local", "rocksdb, local", "heap, s3", "rocksdb, s3"})
  void committedOutputIsExactlyOncePerKeyAfterInjectedFailures(
      String backend, String storage, @TempDir Path dir) throws Exception {
    PageViewCountRun run = run(backend, storage, dir);

    assertThat(run.run(dir)).isEqualTo(JobStatus.FINISHED);

    assertThat(run.runner.jobMaster().attempt()).as("restarts").isEqualTo(3);
    assertThat(run.runner.checkpointStats().counts().restored()).isGreaterThanOrEqualTo(1);
    assertThat(run.runner.checkpointStats().counts().completed()).isGreaterThan(3);
    run.assertExactlyOnce();
  }

  @ParameterizedTest(name = "{0} state")
  @CsvSource({"heap", "rocksdb"})
  void atLeastOnceModeLeavesNoGapsAfterInjectedFailures(String backend, @TempDir Path dir)
      throws Exception {
    PageViewCountRun run = run(backend, "local", dir);
    run.mode = "AT_LEAST_ONCE";

    assertThat(run.run(dir)).isEqualTo(JobStatus.FINISHED);

    run.assertAtLeastOnce();
  }
}
