package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.JobStatusRequest;
import dev.weir.proto.runtime.JobStatusResponse;
import dev.weir.runtime.JobStatus;
import dev.weir.storage.S3Credentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's published gRPC API reports the job as the operator will read it. */
class JobStatusServiceIT {

  @Test
  void reportsWorkersCheckpointsAndTheFinalStatusOverGrpcAndTellsAWatcherEachChangeOfState(
      @TempDir Path dir) throws Exception {
    PageViewCountRun job = new PageViewCountRun(30_000, 10);
    job.rate = 5_000;
    job.storageYaml = "{path: '" + dir.resolve("checkpoints") + "'}";
    job.output = dir.resolve("output").toString();
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, job.manifest());
    JobSpec spec = new ManifestValidator(System::getenv).validate(job.manifest(), "status");
    try (JobRunner runner =
            new JobRunner(
                spec,
                "status",
                dir.resolve("coordinator"),
                new JobRunner.Workers.Remote("127.0.0.1", 0, Duration.ofSeconds(5)));
        WorkerProcesses workers =
            new WorkerProcesses(2, file, "127.0.0.1:" + runner.controlPort(), "status", dir)) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", runner.controlPort()).usePlaintext().build();
      try {
        var api = JobServiceGrpc.newBlockingStub(channel);
        List<String> told = new CopyOnWriteArrayList<>();
        JobServiceGrpc.newStub(channel)
            .watchJobStatus(
                JobStatusRequest.getDefaultInstance(),
                new StreamObserver<>() {
                  @Override
                  public void onNext(JobStatusResponse status) {
                    told.add(status.getStatus());
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> !told.isEmpty());
        var result = runner.start();

        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> api.getJobStatus(JobStatusRequest.getDefaultInstance()).hasLatestCompleted());
        JobStatusResponse running = api.getJobStatus(JobStatusRequest.getDefaultInstance());
        assertThat(running.getJobName()).isEqualTo("pv-test");
        assertThat(running.getJobId()).isEqualTo("status");
        assertThat(running.getStatus()).isEqualTo("RUNNING");
        assertThat(running.getConnectedWorkers()).isEqualTo(2);
        assertThat(running.getLatestCompleted().getPath()).contains("chk-");

        assertThat(result.get(2, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);
        JobStatusResponse finished = api.getJobStatus(JobStatusRequest.getDefaultInstance());
        assertThat(finished.getStatus()).isEqualTo("FINISHED");
        assertThat(finished.getCheckpoints().getCompleted())
            .isGreaterThanOrEqualTo(running.getCheckpoints().getCompleted() + 1);

        // the watcher heard of each change of state once, and not of every checkpoint
        await().atMost(Duration.ofSeconds(10)).until(() -> told.contains("FINISHED"));
        assertThat(told).first().isEqualTo("CREATED");
        assertThat(told).containsSubsequence("CREATED", "RUNNING", "FINISHED");
        for (int i = 1; i < told.size(); i++) {
          assertThat(told.get(i)).as("message %d of %s", i, told).isNotEqualTo(told.get(i - 1));
        }
      } finally {
        channel.shutdownNow();
      }
    }
    job.assertExactlyOnce();
  }

  @Test
  void theCauseOfAFailedJobReachesTheOperatorWithoutCredentials(@TempDir Path dir)
      throws Exception {
    String secret = System.getenv(S3Credentials.WEIR_SECRET_KEY);
    assertThat(secret).as("set for the integration tests by the failsafe plugin").isNotBlank();
    // the source fails to open its input, and the message names the path with the secret in it
    Path input = dir.resolve(secret).resolve("missing.txt");
    JobSpec spec =
        new ManifestValidator(System::getenv)
            .validate(
                """
                apiVersion: weir.dev/v1alpha1
                kind: StreamingJob
                metadata: {name: failing}
                spec:
                  job: {entryClass: dev.weir.jobs.WordCount, args: [--input, '%s']}
                  storage: {path: '%s'}
                  restartStrategy: {type: none}
                """
                    .formatted(input, dir.resolve("checkpoints")),
                "failing");
    try (JobRunner runner = new JobRunner(spec, "failing", dir.resolve("coordinator"))) {
      assertThat(runner.start().get(1, TimeUnit.MINUTES)).isEqualTo(JobStatus.FAILED);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", runner.controlPort()).usePlaintext().build();
      try {
        JobStatusResponse failed =
            JobServiceGrpc.newBlockingStub(channel)
                .getJobStatus(JobStatusRequest.getDefaultInstance());

        assertThat(String.valueOf(runner.jobMaster().failureCause())).contains(secret);
        assertThat(failed.getStatus()).isEqualTo("FAILED");
        assertThat(failed.getFailure()).contains("missing.txt").contains("***");
        assertThat(failed.toString()).doesNotContain(secret);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
