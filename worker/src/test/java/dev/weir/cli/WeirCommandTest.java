package dev.weir.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's parsing: help, option values, usage errors. Nothing here starts a job. */
class WeirCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(String... args) {
    return WeirCommand.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "run", "coordinator", "worker", "query", "savepoint", "stop"})
  void everyCommandPrintsItsHelpWithExitCode0EvenWithoutItsRequiredArguments(String command) {
    assertThat(execute(command, "--help")).as(err.toString()).isZero();
    assertThat(out.toString())
        .startsWith("Usage: weir-worker " + (command.equals("run") ? "local" : command) + " ");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void theUsageShowsTheDefaults() {
    execute("worker", "--help");
    assertThat(out.toString()).contains("--reconnect-timeout").contains("Default: 5m");
  }

  @Test
  void aDurationThatDoesNotParseIsOneLineNamingOptionAndValueThenTheUsageWithExitCode2() {
    int exit = execute("savepoint", "--coordinator", "127.0.0.1:6123", "--timeout", "10 sec");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().findFirst())
        .hasValueSatisfying(
            line -> assertThat(line).contains("--timeout").contains("'10 sec'").contains("500ms"));
    assertThat(err.toString()).contains("Usage: weir-worker savepoint").doesNotContain("\tat ");
  }

  @Test
  void aCoordinatorWhosePortIsNoNumberIsRefusedNamingOptionAndValue() {
    int exit = execute("stop", "--coordinator", "127.0.0.1:abc");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().findFirst())
        .hasValueSatisfying(
            line -> assertThat(line).contains("--coordinator").contains("'127.0.0.1:abc'"));
    assertThat(err.toString()).contains("Usage: weir-worker stop").doesNotContain("\tat ");
  }

  @Test
  void aCoordinatorWithoutPortIsRefused() {
    assertThat(execute("stop", "--coordinator", "localhost")).isEqualTo(2);
    assertThat(err.toString()).contains("'localhost' is not host:port");
  }

  @Test
  void aPortOutsideTheTcpRangeIsRefusedNamingOptionAndValue() {
    assertThat(execute("local", "job.yaml", "--http-port", "70000")).isEqualTo(2);
    assertThat(err.toString()).contains("--http-port").contains("70000").contains("0..65535");
  }

  @Test
  void stopTakesNoOptionOfOtherCommands() {
    assertThat(execute("stop", "--coordinator", "127.0.0.1:1", "--dispose", "/tmp/sp-1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("Unknown options: '--dispose'");
    err.getBuffer().setLength(0);
    assertThat(execute("stop", "--coordinator", "127.0.0.1:1", "--stop")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--stop'");
  }

  @Test
  void disposingOfASavepointTakesNoOptionOfTakingOne() {
    int exit =
        execute(
            "savepoint",
            "--coordinator",
            "127.0.0.1:1",
            "--dispose",
            "/tmp/sp-1",
            "--timeout",
            "1s");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--timeout is for taking a savepoint, not with --dispose");
  }

  @Test
  void aJobIdThatLeavesTheStorageIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: job}
        spec:
          job: {entryClass: dev.weir.jobs.WordCount}
          storage: {path: '%s'}
        """
            .formatted(dir.resolve("checkpoints")));

    int exit =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> execute("local", manifest.toString(), "--in-process", "--job-id", "../x"));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--job-id").contains("'../x'");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void aWorkerIndexOutsideTheParallelismIsOneLineWithExitCode2(@TempDir Path dir) throws Exception {
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: job}
        spec:
          parallelism: 2
          job: {entryClass: dev.weir.jobs.WordCount}
          storage: {path: '%s'}
        """
            .formatted(dir.resolve("checkpoints")));

    int exit =
        execute(
            "worker",
            manifest.toString(),
            "--coordinator",
            "127.0.0.1:1",
            "--index",
            "2",
            "--job-id",
            "j");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo("--index 2 is outside 0..1 (the parallelism)");
  }

  @Test
  void anArgumentTheJobRefusesIsOneLineNamingItWithExitCode2(@TempDir Path dir) throws Exception {
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: job}
        spec:
          job: {entryClass: dev.weir.jobs.PageViewCount, args: [--events, abc]}
          storage: {path: '%s'}
        """
            .formatted(dir.resolve("checkpoints")));

    int exit = execute("local", manifest.toString(), "--in-process");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("invalid manifest " + manifest)
        .contains("spec.job: dev.weir.jobs.PageViewCount failed to define its pipeline")
        .contains("'--events': 'abc'")
        .doesNotContain("\tat ");
    assertThat(dir.resolve("checkpoints")).doesNotExist();
  }
}
