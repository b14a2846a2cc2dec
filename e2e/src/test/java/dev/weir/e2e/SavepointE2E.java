package dev.weir.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.testbed.ExternalCommand;
import dev.weir.testbed.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rescaling as a user does it from the command line: a job running on worker processes is stopped
 * with {@code weir-worker stop}, then run again at another parallelism with {@code weir-worker run
 * --from-savepoint}; a savepoint is taken and disposed of on the way.
 */
class SavepointE2E {
  private static final Pattern COMPLETED = Pattern.compile("\\| (\\d+) completed");

  private static String manifest(Path dir, int parallelism) {
    return """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: pv-e2e}
        spec:
          parallelism: %d
          job:
            entryClass: dev.weir.jobs.PageViewCount
            args: [--events, "90000", --keys, "50", --rate, "3000", --output, "%s"]
          checkpointing: {interval: 300ms, mode: EXACTLY_ONCE, timeout: 1m, retained: 2}
          stateBackend: rocksdb
          storage: {path: '%s'}
        """
        .formatted(parallelism, dir.resolve("output"), dir.resolve("state"));
  }

  @Test
  void stopWithSavepointThenRunAtAnotherParallelismFromIt(@TempDir Path dir) throws Exception {
    Path first = dir.resolve("p2.yaml");
    Files.writeString(first, manifest(dir, 2));
    int port = FreePort.pick();
    Path stderr = dir.resolve("first.err");
    Path stdout = dir.resolve("first.out");
    Process job =
        new ProcessBuilder(
                "java",
                "-jar",
                WorkerJar.path().toString(),
                "local",
                first.toString(),
                "--job-id",
                "first",
                "--port",
                String.valueOf(port))
            .redirectError(stderr.toFile())
            .redirectOutput(stdout.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> completedCheckpoints(stderr) >= 2);
      String coordinator = "--coordinator=127.0.0.1:" + port;

      ExternalCommand.Result savepoint =
          WorkerJar.run(Map.of(), Duration.ofMinutes(1), "savepoint", coordinator);
      assertThat(savepoint.exitCode()).as(savepoint.stderr()).isZero();
      Path taken = Path.of(savepoint.stdout().strip());
      assertThat(taken.resolve("_metadata")).exists();
      ExternalCommand.Result disposed =
          WorkerJar.run(
              Map.of(),
              Duration.ofMinutes(1),
              "savepoint",
              coordinator,
              "--dispose",
              taken.toString());
      assertThat(disposed.exitCode()).as(disposed.stderr()).isZero();
      assertThat(taken).doesNotExist();

      ExternalCommand.Result stop =
          WorkerJar.run(Map.of(), Duration.ofMinutes(1), "stop", coordinator);
      assertThat(stop.exitCode()).as(stop.stderr()).isZero();
      String stopSavepoint = stop.stdout().strip();
      assertThat(job.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(job.exitValue()).as(Files.readString(stderr)).isZero();
      assertThat(Files.readString(stdout))
          .contains("RESULT status=FINISHED")
          .contains("SAVEPOINT " + stopSavepoint);

      Path second = dir.resolve("p3.yaml");
      Files.writeString(second, manifest(dir, 3));
      ExternalCommand.Result rerun =
          WorkerJar.run(
              Map.of(),
              Duration.ofMinutes(2),
              "run",
              second.toString(),
              "--job-id",
              "second",
              "--from-savepoint",
              stopSavepoint);
      assertThat(rerun.exitCode()).as(rerun.stderr()).isZero();
      assertThat(rerun.stderr()).contains("restoring from savepoint");
    } finally {
      job.destroyForcibly();
    }

    Map<String, List<Long>> perApp = new TreeMap<>();
    try (Stream<Path> parts = Files.list(dir.resolve("output"))) {
      for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        for (String line : Files.readAllLines(part)) {
          String[] kv = line.split(",");
          perApp.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Long.parseLong(kv[1]));
        }
      }
    }
    assertThat(perApp).hasSize(50);
    List<Long> expected = Stream.iterate(1L, c -> c + 1).limit(1800).toList();
    perApp.forEach(
        (app, counts) ->
            assertThat(counts.stream().sorted().toList()).as("app " + app).isEqualTo(expected));
  }

  private static int completedCheckpoints(Path stderr) throws Exception {
    int completed = 0;
    Matcher m = COMPLETED.matcher(Files.readString(stderr));
    while (m.find()) {
      completed = Integer.parseInt(m.group(1));
    }
    return completed;
  }
}
