package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When the latest checkpoint's state files are corrupt or missing, recovery falls back to the
 * previous retained checkpoint and the output stays exactly-once.
 */
class CorruptCheckpointFallbackIT {

  @ParameterizedTest(name = "{0} state, {1} files")
  @CsvSource({"heap, corrupt", "rocksdb, corrupt", "heap, missing", "rocksdb, missing"})
  void restoresThePreviousCheckpointWhenTheLatestCannotBeRead(
      String backend, String damage, @TempDir Path dir) throws Exception {
    Path signal = dir.resolve("fail-now");
    Path output = dir.resolve("output");
    String manifest =
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: fallback}
        spec:
          parallelism: 2
          job:
            entryClass: dev.weir.runner.FailOnSignalJob
            args: ["30000", "10", "2500", "%s", "%s"]
          checkpointing: {interval: 700ms, retained: 3}
          stateBackend: %s
          storage: {path: '%s'}
          restartStrategy: {type: fixed-delay, attempts: 2, delay: 10ms}
        """
            .formatted(signal, output, backend, dir.resolve("checkpoints"));
    JobSpec spec = new ManifestValidator(System::getenv).validate(manifest, "test");
    JobRunner runner = new JobRunner(spec, "fallback", dir.resolve("work"));
    try {
      var result = runner.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> runner.checkpointStats().counts().completed() >= 2);
      long before = runner.checkpointStats().counts().completed();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> runner.checkpointStats().counts().completed() > before);
      long latest = runner.checkpointStats().latestCompleted().id();

      damageStateFiles(runner.storage(), "fallback/chk-" + latest + "/", damage);
      Files.createFile(signal);

      assertThat(result.get(2, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);
      assertThat(runner.jobMaster().restoredCheckpointId()).isNotNull().isLessThan(latest);
    } finally {
      runner.close();
    }
    assertExactlyOnce(output, 10, 3000);
  }

  @Test
  void aUserFunctionFailingInOpenAfterARestoreRestartsFromTheSameCheckpoint(@TempDir Path dir)
      throws Exception {
    Path signal = dir.resolve("fail-now");
    Path openSignal = dir.resolve("fail-in-open");
    Path output = dir.resolve("output");
    String manifest =
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: open-failure}
        spec:
          parallelism: 2
          job:
            entryClass: dev.weir.runner.FailOnSignalJob
            args: ["20000", "10", "2500", "%s", "%s", "%s"]
          checkpointing: {interval: 500ms, retained: 1}
          stateBackend: heap
          storage: {path: '%s'}
          restartStrategy: {type: fixed-delay, attempts: 3, delay: 10ms}
        """
            .formatted(signal, output, openSignal, dir.resolve("checkpoints"));
    JobSpec spec = new ManifestValidator(System::getenv).validate(manifest, "test");
    JobRunner runner = new JobRunner(spec, "open-failure", dir.resolve("work"));
    try {
      var result = runner.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> runner.checkpointStats().counts().completed() >= 2);

      Files.createFile(openSignal); // the next attempt's open() throws, after its restore
      Files.createFile(signal); // fails this attempt

      assertThat(result.get(2, TimeUnit.MINUTES))
          .as("status (failure: %s)", runner.jobMaster().failureCause())
          .isEqualTo(JobStatus.FINISHED);
      assertThat(openSignal).as("open() did fail once").doesNotExist();
      assertThat(runner.jobMaster().attempt()).isGreaterThanOrEqualTo(2);
    } finally {
      runner.close();
    }
    assertExactlyOnce(output, 10, 2000);
  }

  private static void damageStateFiles(CheckpointStorage storage, String directory, String damage)
      throws Exception {
    List<String> stateFiles =
        storage.list(directory).stream().filter(p -> p.contains("/count/")).toList();
    assertThat(stateFiles).isNotEmpty();
    for (String path : stateFiles) {
      if (damage.equals("missing")) {
        storage.delete(path);
      } else {
        byte[] bytes = storage.read(path);
        if (bytes.length > 0) {
          bytes[bytes.length / 2] ^= 0x5a;
          storage.write(path, bytes);
        }
      }
    }
  }

  private static void assertExactlyOnce(Path output, int keys, long perKey) throws Exception {
    Map<String, List<Long>> perApp = new LinkedHashMap<>();
    try (CheckpointStorage out = StorageLocation.parse(output.toString(), null).open()) {
      for (String line : ExactlyOnceFileSink.readCommitted(out)) {
        String[] kv = line.split(",");
        perApp.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Long.parseLong(kv[1]));
      }
    }
    assertThat(perApp).hasSize(keys);
    perApp.forEach(
        (app, counts) -> {
          assertThat(counts).as("app %s", app).hasSize((int) perKey);
          for (int i = 0; i < counts.size(); i++) {
            assertThat(counts.get(i)).as("app %s, position %d", app, i).isEqualTo(i + 1L);
          }
        });
  }
}
