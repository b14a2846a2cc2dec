package dev.weir.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weir-worker stop} against a real {@code local} process: the job ends with the savepoint,
 * and with it the process that serves the API the command polls.
 */
class StopCommandIT {
  private static final Pattern API = Pattern.compile("--coordinator (127\\.0\\.0\\.1:\\d+)");

  @RepeatedTest(3)
  void stopPrintsTheSavepointPathAndExitsZeroAlthoughTheJobAndItsProcessEnd(@TempDir Path dir)
      throws Exception {
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: pv}
        spec:
          parallelism: 2
          job:
            entryClass: dev.weir.jobs.PageViewCount
            args: [--events, "100000000", --keys, "20", --rate, "5000", --output, '%s']
          storage: {path: '%s'}
        """
            .formatted(dir.resolve("output"), dir.resolve("checkpoints")));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            WeirCommand.class.getName(),
            "local",
            manifest.toString(),
            "--in-process",
            "--job-id",
            "it"));
    Path stdout = dir.resolve("stdout");
    Path stderr = dir.resolve("stderr");
    Process local =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> Files.readString(stderr).contains("RUNNING attempt"));
      Matcher api = API.matcher(Files.readString(stderr));
      assertThat(api.find()).isTrue();

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          WeirCommand.commandLine()
              .setOut(new PrintWriter(out, true))
              .setErr(new PrintWriter(err, true))
              .execute("stop", "--coordinator", api.group(1));

      assertThat(exit).as(err.toString()).isZero();
      Path savepoint = Path.of(out.toString().strip());
      assertThat(savepoint.resolve("_metadata")).exists();
      assertThat(local.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(local.exitValue()).as(Files.readString(stderr)).isZero();
      assertThat(Files.readString(stdout))
          .contains("RESULT status=FINISHED")
          .contains("SAVEPOINT " + savepoint);
    } finally {
      local.destroyForcibly();
    }
  }
}
