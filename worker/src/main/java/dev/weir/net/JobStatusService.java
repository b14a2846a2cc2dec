package dev.weir.net;

import dev.weir.checkpoint.CheckpointStats;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.failure.FailureKind;
import dev.weir.proto.runtime.CheckpointCounts;
import dev.weir.proto.runtime.CheckpointSummary;
import dev.weir.proto.runtime.DisposeSavepointRequest;
import dev.weir.proto.runtime.DisposeSavepointResponse;
import dev.weir.proto.runtime.GetSavepointRequest;
import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.JobStatusRequest;
import dev.weir.proto.runtime.JobStatusResponse;
import dev.weir.proto.runtime.SavepointOperation;
import dev.weir.proto.runtime.TriggerSavepointRequest;
import dev.weir.runtime.JobMaster;
import dev.weir.runtime.SavepointOperations;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The coordinator's published gRPC API: what the operator reads to reflect a job in its status, and
 * savepoints (trigger, stop-with-savepoint, dispose). Reads only thread-safe views of the job
 * master.
 */
public final class JobStatusService extends JobServiceGrpc.JobServiceImplBase {
  private final String jobName;
  private final String jobId;
  private final int parallelism;
  private final Supplier<JobMaster> jobMasters;
  private final IntSupplier connectedWorkers;
  private final SavepointOperations savepoints;
  private final SavepointDisposer disposer;

  /** Deletes a savepoint by the location a caller gave. */
  @FunctionalInterface
  public interface SavepointDisposer {
    void dispose(String location) throws Exception;
  }

  public JobStatusService(
      String jobName,
      String jobId,
      int parallelism,
      Supplier<JobMaster> jobMaster,
      IntSupplier connectedWorkers,
      SavepointOperations savepoints,
      SavepointDisposer disposer) {
    this.jobName = jobName;
    this.jobId = jobId;
    this.parallelism = parallelism;
    this.jobMasters = jobMaster;
    this.connectedWorkers = connectedWorkers;
    this.savepoints = savepoints;
    this.disposer = disposer;
  }

  @Override
  public void triggerSavepoint(
      TriggerSavepointRequest request, StreamObserver<SavepointOperation> response) {
    if (!request.getTargetPath().isEmpty()) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "target_path is not supported: savepoints go to <storage>/<jobId>/savepoints/")
              .asRuntimeException());
      return;
    }
    response.onNext(toProto(savepoints.trigger(request.getRequestId(), request.getStop())));
    response.onCompleted();
  }

  @Override
  public void getSavepoint(
      GetSavepointRequest request, StreamObserver<SavepointOperation> response) {
    SavepointOperations.Operation operation = savepoints.get(request.getRequestId());
    response.onNext(
        operation == null
            ? SavepointOperation.newBuilder()
                .setRequestId(request.getRequestId())
                .setState(SavepointOperation.State.UNKNOWN)
                .build()
            : toProto(operation));
    response.onCompleted();
  }

  @Override
  public void disposeSavepoint(
      DisposeSavepointRequest request, StreamObserver<DisposeSavepointResponse> response) {
    try {
      disposer.dispose(request.getPath());
    } catch (Exception e) {
      response.onError(
          (FailureKind.of(e) == FailureKind.STORAGE_UNREACHABLE
                  ? Status.UNAVAILABLE
                  : Status.FAILED_PRECONDITION)
              .withDescription(e.getMessage())
              .asRuntimeException());
      return;
    }
    response.onNext(DisposeSavepointResponse.getDefaultInstance());
    response.onCompleted();
  }

  private static CheckpointSummary summary(CompletedCheckpoint checkpoint) {
    return CheckpointSummary.newBuilder()
        .setId(checkpoint.checkpointId())
        .setCompletionTimestampMs(checkpoint.metadata().getCompletionTimestampMs())
        .setDurationMs(checkpoint.durationMillis())
        .setStateSizeBytes(checkpoint.stateSizeBytes())
        .setPath(checkpoint.path())
        .build();
  }

  private static SavepointOperation toProto(SavepointOperations.Operation operation) {
    SavepointOperation.Builder proto =
        SavepointOperation.newBuilder()
            .setRequestId(operation.requestId())
            .setStop(operation.stop())
            .setTriggerTimestampMs(operation.triggerTimestampMillis())
            .setCompletionTimestampMs(operation.completionTimestampMillis());
    switch (operation.state()) {
      case COMPLETED:
        proto
            .setState(SavepointOperation.State.COMPLETED)
            .setPath(operation.path())
            .setCheckpointId(operation.checkpointId());
        break;
      case FAILED:
        proto.setState(SavepointOperation.State.FAILED).setFailure(operation.failure());
        break;
      default:
        proto.setState(SavepointOperation.State.IN_PROGRESS);
    }
    return proto.build();
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
            .setStatus(jobMaster.reportedStatus().name())
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
      status.setLatestCompleted(summary(latest));
    }
    CompletedCheckpoint savepoint = stats.latestSavepoint();
    if (savepoint != null) {
      status.setLatestSavepoint(summary(savepoint));
    }
    if (jobMaster.restoredFromPath() != null) {
      status.setRestoredFromPath(jobMaster.restoredFromPath());
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
