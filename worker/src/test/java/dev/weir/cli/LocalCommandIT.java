package dev.weir.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code weir-worker local} as a user runs it: a real process with worker child processes, ended by
 * its job, by a signal or by SIGKILL; and a worker whose coordinator is gone.
 */
class LocalCommandIT {
  private static final String COMPLETE_RESULT =
      "RESULT status=%s records=\\d+ elapsedMs=\\d+ runningMs=\\d+ recordsPerSec=\\d+ restarts=-?\\d+"
          + " checkpoints\\[completed=\\d+ failed=\\d+ p50Ms=\\d+ p99Ms=\\d+ maxMs=\\d+"
          + " completeP50Ms=\\d+ lastSizeBytes=\\d+] storage=\\S+/it";

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void killWhatIsLeft() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private Path manifest(long events, long rate) throws IOException {
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
            args: [--events, "%d", --keys, "20", --rate, "%d", --output, '%s']
          checkpointing: {interval: 500ms}
          storage: {path: '%s'}
        """
            .formatted(events, rate, dir.resolve("output"), dir.resolve("checkpoints")));
    return manifest;
  }

  private static List<String> java(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path")));
    command.add(WeirCommand.class.getName());
    command.addAll(List.of(args));
    return command;
  }

  private Process local(Path manifest) throws IOException {
    Process local =
        new ProcessBuilder(
                java(
                    "local",
                    manifest.toString(),
                    "--job-id",
                    "it",
                    "--work-dir",
                    dir.resolve("work").toString()))
            .redirectOutput(dir.resolve("stdout").toFile())
            .redirectError(dir.resolve("stderr").toFile())
            .start();
    started.add(local);
    return local;
  }

  private String read(String file) throws IOException {
    Path path = dir.resolve(file);
    return Files.exists(path) ? Files.readString(path) : "";
  }

  /** The worker JVMs of {@code local}, once both run an attempt of the job. */
  private List<ProcessHandle> runningWorkers(Process local) throws IOException {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> read("stderr").contains("RUNNING attempt"));
    List<ProcessHandle> workers = local.descendants().toList();
    assertThat(workers).hasSize(2);
    return workers;
  }

  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalCancelsTheJobPrintsACompleteResultLineAndLeavesNoWorkerBehind(String signal)
      throws Exception {
    Process local = local(manifest(100_000_000, 5_000));
    List<ProcessHandle> workers = runningWorkers(local);

    new ProcessBuilder("kill", "-" + signal, String.valueOf(local.pid())).start().waitFor();

    assertThat(local.waitFor(1, TimeUnit.MINUTES)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(workers).noneMatch(ProcessHandle::isAlive));
    assertThat(read("stdout").strip()).matches(COMPLETE_RESULT.formatted("CANCELLED"));
  }

  @Test
  void aKilledLocalProcessTakesItsWorkersWithIt() throws Exception {
    Process local = local(manifest(100_000_000, 5_000));
    List<ProcessHandle> workers = runningWorkers(local);

    local.destroyForcibly(); // SIGKILL: no shutdown hook runs

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(workers).noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void aFinishedRunLeavesLogsWithoutWarningsErrorsOrStackTraces() throws Exception {
    Process local = local(manifest(20_000, 20_000));

    assertThat(local.waitFor(3, TimeUnit.MINUTES)).isTrue();

    assertThat(local.exitValue()).as(read("stderr")).isZero();
    assertThat(read("stdout").lines().findFirst())
        .hasValueSatisfying(
            line -> assertThat(line).matches(COMPLETE_RESULT.formatted("FINISHED")));
    List<Path> logs = new ArrayList<>(List.of(dir.resolve("stderr")));
    try (Stream<Path> workerLogs = Files.list(dir.resolve("work"))) {
      workerLogs.filter(p -> p.getFileName().toString().endsWith(".log")).forEach(logs::add);
    }
    assertThat(logs).hasSize(3);
    for (Path log : logs) {
      assertThat(Files.readAllLines(log))
          .as(log.getFileName().toString())
          .noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR "))
          .noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
    }
  }

  @Test
  void aWorkerWhoseCoordinatorIsGoneGivesUpAfterItsReconnectTimeout() throws Exception {
    int nobody;
    try (ServerSocket socket = new ServerSocket(0)) {
      nobody = socket.getLocalPort(); // closed again: nothing listens there
    }
    Process worker =
        new ProcessBuilder(
                java(
                    "worker",
                    manifest(1_000, 1_000).toString(),
                    "--coordinator",
                    "127.0.0.1:" + nobody,
                    "--index",
                    "0",
                    "--job-id",
                    "it",
                    "--bind",
                    "127.0.0.1",
                    "--work-dir",
                    dir.resolve("work").toString(),
                    "--reconnect-timeout",
                    "2s"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker.log").toFile())
            .start();
    started.add(worker);

    assertThat(worker.waitFor(1, TimeUnit.MINUTES)).as(read("worker.log")).isTrue();
    assertThat(worker.exitValue()).isEqualTo(1);
    assertThat(read("worker.log"))
        .contains("no coordinator at 127.0.0.1:" + nobody + " for 2000 ms (--reconnect-timeout)");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--port", "--http-port"})
  void aBusyPortIsOneLineNamingTheOptionWithExitCode2(String option) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      java.io.StringWriter err = new java.io.StringWriter();

      int exit =
          WeirCommand.commandLine()
              .setErr(new java.io.PrintWriter(err, true))
              .execute(
                  "local",
                  manifest(1_000, 1_000).toString(),
                  "--in-process",
                  "--quiet",
                  option,
                  String.valueOf(port));

      assertThat(exit).isEqualTo(2);
      assertThat(err.toString().strip())
          .startsWith(option + " " + port + ": cannot listen on 127.0.0.1:" + port + ": ")
          .contains("already in use")
          .doesNotContain("\n");
    }
  }
}
