package dev.weir.net;

import dev.weir.checkpoint.CheckpointStats;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.proto.runtime.CheckpointCounts;
import dev.weir.proto.runtime.CheckpointSummary;
import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.JobStatusRequest;
import dev.weir.proto.runtime.JobStatusResponse;
import dev.weir.runtime.JobMaster;
import io.grpc.stub.StreamObserver;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The coordinator's published gRPC API: what the operator reads to reflect a job in its status.
 * Reads only thread-safe views of the job master.
 */
public final class JobStatusService extends JobServiceGrpc.JobServiceImplBase {
  private final String jobName;
  private final String jobId;
  private final int parallelism;
  private final Supplier<JobMaster> jobMasters;
  private final IntSupplier connectedWorkers;

  public JobStatusService(
      String jobName,
      String jobId,
      int parallelism,
      Supplier<JobMaster> jobMaster,
      IntSupplier connectedWorkers) {
    this.jobName = jobName;
    this.jobId = jobId;
    this.parallelism = parallelism;
    this.jobMasters = jobMaster;
    this.connectedWorkers = connectedWorkers;
  }

  @Override
  public void getJobStatus(JobStatusRequest request, StreamObserver<JobStatusResponse> response) {
    JobMaster jobMaster = jobMasters.get();
    CheckpointStats stats = jobMaster.checkpointStats();
    JobStatusResponse.Builder status =
        JobStatusResponse.newBuilder()
            .setVersion(1)
            .setJobName(jobName)
            .setJobId(jobId)
            .setStatus(jobMaster.status().name())
            .setAttempt(Math.max(0, jobMaster.attempt()))
            .setParallelism(parallelism)
            .setConnectedWorkers(connectedWorkers.getAsInt())
            .setCheckpoints(
                CheckpointCounts.newBuilder()
                    .setTriggered(stats.triggered())
                    .setInProgress(stats.inProgress())
                    .setCompleted(stats.completed())
                    .setFailed(stats.failed())
                    .setRestored(stats.restored()))
            .setRestoredFromCheckpoint(
                jobMaster.restoredCheckpointId() == null ? -1 : jobMaster.restoredCheckpointId());
    CompletedCheckpoint latest = stats.latestCompleted();
    if (latest != null) {
      status.setLatestCompleted(
          CheckpointSummary.newBuilder()
              .setId(latest.checkpointId())
              .setCompletionTimestampMs(latest.metadata().getCompletionTimestampMs())
              .setDurationMs(latest.durationMillis())
              .setStateSizeBytes(latest.stateSizeBytes())
              .setPath(latest.path()));
    }
    if (stats.latestFailure() != null) {
      status.setLatestFailure(stats.latestFailure());
    }
    if (jobMaster.failureCause() != null) {
      status.setFailure(String.valueOf(jobMaster.failureCause()));
    }
    response.onNext(status.build());
    response.onCompleted();
  }
}
