package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.storage.StorageLocation;
import dev.weir.testbed.FreePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The coordinator is SIGKILLed mid-run and started again with the same job id: it recovers the
 * latest completed checkpoint from storage (metadata written last = complete), the workers
 * reconnect, and the job finishes with exactly-once output.
 */
class CoordinatorRestartIT {

  private static Process coordinator(Path manifest, int port, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.weir.cli.WeirCommand",
            "coordinator",
            manifest.toString(),
            "--job-id",
            "restart",
            "--bind",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--http-port",
            "0",
            "--heartbeat-timeout",
            "3s",
            "--quiet"));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  @ParameterizedTest(name = "{0} state")
  @ValueSource(strings = {"heap", "rocksdb"})
  void aRestartedCoordinatorContinuesFromTheLatestCompletedCheckpoint(
      String backend, @TempDir Path dir) throws Exception {
    PageViewCountRun job = new PageViewCountRun(48_000, 24);
    job.backend = backend;
    job.rate = 4_000; // six seconds
    job.restartAttempts = 20;
    job.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";
    job.output = dir.resolve("output").toString();
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(manifest, job.manifest());
    int port = FreePort.pick();
    Path log = dir.resolve("coordinator.log");
    CompletedCheckpointStore checkpoints =
        new CompletedCheckpointStore(
            StorageLocation.parse(dir.resolve("checkpoints").toString(), null).open(), "restart");

    Process first = coordinator(manifest, port, log);
    try (WorkerProcesses workers =
        new WorkerProcesses(2, manifest, "127.0.0.1:" + port, "restart", dir.resolve("workers"))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> checkpoints.completedIds().size() >= 2);
      first.destroyForcibly().waitFor(); // SIGKILL
      long latestBeforeRestart =
          checkpoints.completedIds().get(checkpoints.completedIds().size() - 1);

      Process second = coordinator(manifest, port, log);
      try {
        assertThat(second.waitFor(3, TimeUnit.MINUTES)).as("second coordinator finished").isTrue();
        assertThat(second.exitValue()).as(Files.readString(log)).isZero();
      } finally {
        second.destroyForcibly();
      }
      assertThat(Files.readString(log))
          .contains("restoring from checkpoint")
          .containsPattern("found completed checkpoints \\[.*" + latestBeforeRestart + "\\]");
      assertThat(workers.restarts()).isZero();
    } finally {
      first.destroyForcibly();
    }
    job.assertExactlyOnce();
  }

  @org.junit.jupiter.api.Test
  void aCoordinatorRestartedAfterTheJobFinishedReportsFinishedWithoutWritingAnything(
      @TempDir Path dir) throws Exception {
    PageViewCountRun job = new PageViewCountRun(8_000, 8);
    job.rate = 4_000;
    job.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";
    job.output = dir.resolve("output").toString();
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(manifest, job.manifest());
    int port = FreePort.pick();
    Path log = dir.resolve("coordinator.log");

    try (WorkerProcesses workers =
        new WorkerProcesses(2, manifest, "127.0.0.1:" + port, "restart", dir.resolve("workers"))) {
      Process first = coordinator(manifest, port, log);
      try {
        assertThat(first.waitFor(2, TimeUnit.MINUTES)).as("first coordinator finished").isTrue();
        assertThat(first.exitValue()).as(Files.readString(log)).isZero();
      } finally {
        first.destroyForcibly();
      }
      job.assertExactlyOnce();
      Map<String, String> output = contents(dir.resolve("output"));

      // what a coordinator pod restarted after the job completed does
      Process second = coordinator(manifest, port, log);
      try {
        assertThat(second.waitFor(2, TimeUnit.MINUTES))
            .as("the second coordinator reports the job FINISHED and exits")
            .isTrue();
        assertThat(second.exitValue()).as(Files.readString(log)).isZero();
      } finally {
        second.destroyForcibly();
      }
      assertThat(Files.readString(log))
          .as("the second coordinator restored the final checkpoint instead of starting afresh")
          .contains("restoring from checkpoint");
      assertThat(contents(dir.resolve("output")))
          .as("nothing re-run or committed again")
          .isEqualTo(output);
    }
  }

  /** Every file under {@code directory} by relative path, with its content. */
  private static Map<String, String> contents(Path directory) throws IOException {
    Map<String, String> contents = new TreeMap<>();
    try (var files = Files.walk(directory)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        contents.put(directory.relativize(f).toString(), Files.readString(f));
      }
    }
    return contents;
  }
}
