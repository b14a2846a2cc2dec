package dev.weir.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weir.operator.coordinator.CoordinatorClient;
import dev.weir.operator.coordinator.CoordinatorClients;
import dev.weir.operator.coordinator.CoordinatorUnavailableException;
import dev.weir.operator.coordinator.GrpcCoordinatorClients;
import dev.weir.operator.coordinator.JobObservation;
import dev.weir.operator.coordinator.SavepointOutcome;
import dev.weir.testbed.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's real gRPC {@link CoordinatorClient} against a real Weir coordinator (the worker
 * jar run as a process, {@code local --in-process --port P}): the operator and the runtime agree on
 * the JobService contract of {@code worker/src/main/proto/weir/runtime.proto}.
 */
class CoordinatorContractE2E {

  private static String manifest(Path dir) {
    return """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: contract}
        spec:
          parallelism: 2
          job:
            entryClass: dev.weir.jobs.PageViewCount
            args: [--events, "10000000", --keys, "50", --rate, "2000", --output, "%s"]
          checkpointing: {interval: 300ms, mode: EXACTLY_ONCE, timeout: 1m, retained: 2}
          storage: {path: '%s'}
        """
        .formatted(dir.resolve("output"), dir.resolve("state"));
  }

  @Test
  void operatorClientObservesSavepointsStopsAndDisposesThroughTheRealJobService(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("contract.yaml");
    Files.writeString(file, manifest(dir));
    int port = FreePort.pick();
    // the processes the operator's pods run: a coordinator with --linger and its workers
    Process job =
        start(
            dir.resolve("coordinator"),
            "coordinator",
            file.toString(),
            "--job-id",
            "contract-1",
            "--bind",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--http-port",
            "0",
            "--linger");
    List<Process> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(
          start(
              dir.resolve("worker-" + i),
              "worker",
              file.toString(),
              "--coordinator",
              "127.0.0.1:" + port,
              "--index",
              String.valueOf(i),
              "--job-id",
              "contract-1",
              "--bind",
              "127.0.0.1",
              "--advertise-host",
              "127.0.0.1"));
    }
    Path stderr = dir.resolve("coordinator.err");
    try (CoordinatorClients clients =
        new GrpcCoordinatorClients(
            (name, namespace) -> "127.0.0.1:" + port, Duration.ofSeconds(5))) {
      CoordinatorClient coordinator = clients.forJob("default", "contract");

      JobObservation running =
          await()
              .atMost(Duration.ofMinutes(1))
              .pollInterval(Duration.ofMillis(200))
              .ignoreException(CoordinatorUnavailableException.class)
              .until(
                  coordinator::jobStatus,
                  o ->
                      o.running()
                          && o.latestCheckpoint() != null
                          && o.latestCheckpoint().id() >= 2);
      assertThat(running.jobId()).isEqualTo("contract-1");
      assertThat(running.parallelism()).isEqualTo(2);
      assertThat(running.failure()).isNull();
      assertThat(running.latestCheckpoint().path()).contains("contract-1");
      assertThat(running.latestCheckpoint().completionTimestampMs()).isPositive();

      assertThat(coordinator.savepoint("never-sent").state())
          .isEqualTo(SavepointOutcome.State.UNKNOWN);

      // a savepoint of the running job; asking again with the same request id starts nothing new
      SavepointOutcome started = coordinator.triggerSavepoint("manual-1", false);
      assertThat(started.requestId()).isEqualTo("manual-1");
      assertThat(started.state())
          .isIn(SavepointOutcome.State.IN_PROGRESS, SavepointOutcome.State.COMPLETED);
      SavepointOutcome completed = awaitCompleted(coordinator, "manual-1");
      Path savepoint = Path.of(completed.path());
      assertThat(savepoint.resolve("_metadata")).exists();
      assertThat(completed.checkpointId()).isPositive();
      SavepointOutcome again = coordinator.triggerSavepoint("manual-1", false);
      assertThat(again.state()).isEqualTo(SavepointOutcome.State.COMPLETED);
      assertThat(again.path()).isEqualTo(completed.path());
      assertThat(again.checkpointId()).isEqualTo(completed.checkpointId());
      assertThat(savepointDirectories(savepoint.getParent())).isEqualTo(1);
      assertThat(coordinator.jobStatus().running()).isTrue();

      coordinator.disposeSavepoint(completed.path());
      assertThat(savepoint).doesNotExist();

      // stop-with-savepoint: the job finishes, the savepoint stays
      coordinator.triggerSavepoint("upgrade-1", true);
      SavepointOutcome stopped = awaitCompleted(coordinator, "upgrade-1");
      assertThat(Path.of(stopped.path()).resolve("_metadata")).exists();
      assertThat(stopped.checkpointId()).isGreaterThan(completed.checkpointId());
      JobObservation finished =
          await()
              .atMost(Duration.ofMinutes(1))
              .pollInterval(Duration.ofMillis(200))
              .until(coordinator::jobStatus, o -> !o.running());
      assertThat(finished.status()).as(Files.readString(stderr)).isEqualTo("FINISHED");
      assertThat(finished.jobId()).isEqualTo("contract-1");
      assertThat(finished.failure()).isNull();
      // the stop savepoint's operation is still answered by the lingering coordinator
      assertThat(coordinator.savepoint("upgrade-1").path()).isEqualTo(stopped.path());

      // the coordinator is gone: the client reports it unavailable instead of hanging
      job.destroy();
      assertThat(job.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThatThrownBy(coordinator::jobStatus)
          .isInstanceOf(CoordinatorUnavailableException.class)
          .hasMessageContaining("GetJobStatus to 127.0.0.1:" + port);
    } finally {
      job.destroyForcibly();
      workers.forEach(Process::destroyForcibly);
    }
  }

  private static Process start(Path logs, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("java", "-Xmx256m", "-jar", WorkerJar.path().toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectError(Path.of(logs + ".err").toFile())
        .redirectOutput(Path.of(logs + ".out").toFile())
        .start();
  }

  private static SavepointOutcome awaitCompleted(CoordinatorClient coordinator, String requestId) {
    SavepointOutcome outcome =
        await()
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> coordinator.savepoint(requestId),
                o -> o.state() != SavepointOutcome.State.IN_PROGRESS);
    assertThat(outcome.state()).as(outcome.failure()).isEqualTo(SavepointOutcome.State.COMPLETED);
    assertThat(outcome.requestId()).isEqualTo(requestId);
    return outcome;
  }

  private static long savepointDirectories(Path savepoints) throws Exception {
    try (Stream<Path> entries = Files.list(savepoints)) {
      return entries.filter(Files::isDirectory).count();
    }
  }
}
