package dev.weir.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.cli.WeirCommand;
import dev.weir.runner.WorkerProcesses;
import dev.weir.testbed.FreePort;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The processes of one job of a chaos run: a coordinator process ({@code weir-worker coordinator})
 * and one worker process per subtask ({@link WorkerProcesses}, which starts a dead worker again as
 * a StatefulSet would). The coordinator is supervised the way a Deployment supervises its pod: one
 * that exits with a non-zero code without having been killed here is started again (counted in
 * {@link #unplannedCoordinatorExits()}); one that exits with 0 has finished its job.
 *
 * <p>Threading: used by the one thread that runs the chaos schedule; {@link #supervise()} is called
 * from its waits.
 */
final class ChaosCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Path dir;
  private final int controlPort = FreePort.pick();
  private final int httpPort = FreePort.pick();
  private Path manifest;
  private String jobId;
  private String fromSavepoint;
  private int parallelism;
  private Process coordinator;
  private WorkerProcesses workers;
  private int unplannedCoordinatorExits;
  private int workerRestarts;

  ChaosCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts a coordinator and its workers for a job; any previous job must have ended. */
  void start(Path manifest, String jobId, int parallelism, String fromSavepoint) {
    this.manifest = manifest;
    this.jobId = jobId;
    this.parallelism = parallelism;
    this.fromSavepoint = fromSavepoint;
    coordinator = launchCoordinator();
    workers =
        new WorkerProcesses(
            parallelism,
            manifest,
            "127.0.0.1:" + controlPort,
            jobId,
            dir.resolve("workers-" + jobId));
  }

  private Process launchCoordinator() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.weir.cli.WeirCommand",
            "coordinator",
            manifest.toString(),
            "--job-id",
            jobId,
            "--bind",
            "127.0.0.1",
            "--port",
            String.valueOf(controlPort),
            "--http-port",
            String.valueOf(httpPort),
            "--heartbeat-timeout",
            ChaosPlan.HEARTBEAT_TIMEOUT.toMillis() + "ms",
            "--work-dir",
            dir.resolve("coordinator-work").toString(),
            "--quiet"));
    if (fromSavepoint != null) {
      command.addAll(List.of("--from-savepoint", fromSavepoint));
    }
    try {
      Files.createDirectories(dir);
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(coordinatorLog().toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the coordinator", e);
    }
  }

  Path coordinatorLog() {
    return dir.resolve("coordinator.log");
  }

  /** Starts the coordinator again if it died without being asked to (a pod's restart). */
  void supervise() {
    if (coordinator != null && !coordinator.isAlive() && coordinator.exitValue() != 0) {
      unplannedCoordinatorExits++;
      coordinator = launchCoordinator();
    }
  }

  /** The coordinator exited with 0: its job ended (finished, or stopped with a savepoint). */
  boolean ended() {
    return coordinator != null && !coordinator.isAlive() && coordinator.exitValue() == 0;
  }

  void killCoordinator() throws InterruptedException {
    coordinator.destroyForcibly().waitFor(); // SIGKILL
  }

  /** Starts the coordinator again after {@link #killCoordinator()}, same job id and port. */
  void restartCoordinator() {
    coordinator = launchCoordinator();
  }

  long coordinatorPid() {
    return coordinator.pid();
  }

  /** Process id of worker {@code index}, or -1 if it has none right now. */
  long workerPid(int index) {
    return workers.pids()[index % parallelism];
  }

  /** The coordinator's {@code /api/v1/job}, or empty while it does not answer. */
  Optional<JsonNode> job() {
    return get("/api/v1/job");
  }

  /** Checkpoints completed since the current coordinator process started; -1 when unknown. */
  long completedCheckpoints() {
    return get("/api/v1/checkpoints")
        .map(c -> c.get("counts").get("completed").asLong())
        .orElse(-1L);
  }

  /** The job's attempt number as the coordinator reports it; -2 when unknown. */
  int attempt() {
    return job().map(j -> j.get("attempt").asInt()).orElse(-2);
  }

  private Optional<JsonNode> get(String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Stop-with-savepoint through the CLI ({@code weir-worker stop}); returns the savepoint's path,
   * or empty with the CLI's error output in {@code errors} when it did not complete.
   */
  Optional<String> stopWithSavepoint(StringBuilder errors) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new WeirCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute("stop", "--coordinator", "127.0.0.1:" + controlPort, "--timeout", "60s");
    if (exit != 0) {
      errors.append("stop exited ").append(exit).append(": ").append(err.toString().strip());
      return Optional.empty();
    }
    String[] lines = out.toString().strip().split("\n");
    return Optional.of(lines[lines.length - 1].strip());
  }

  /** Ends the workers of a job whose coordinator has ended. */
  void stopWorkers() {
    if (workers != null) {
      workerRestarts += workers.restarts();
      workers.close();
      workers = null;
    }
  }

  int unplannedCoordinatorExits() {
    return unplannedCoordinatorExits;
  }

  int workerRestarts() {
    return workerRestarts + (workers == null ? 0 : workers.restarts());
  }

  @Override
  public void close() {
    stopWorkers();
    if (coordinator != null) {
      coordinator.destroyForcibly();
      try {
        coordinator.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
