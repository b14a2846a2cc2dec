package dev.weir.net;

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
import dev.weir.stats.CheckpointDetails;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CredentialRedaction;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The coordinator's published gRPC API: what the operator reads to reflect a job in its status, and
 * savepoints (trigger, stop-with-savepoint, dispose). Reads only thread-safe views of the job
 * master and the checkpoint statistics snapshot that every other reader reads too (so the
 * operator's status and the web page agree); failure messages leave redacted. Status watches
 * ({@code WatchJobStatus}) are served by one daemon thread that looks for a change every 100 ms and
 * is the only writer of their streams.
 */
public final class JobStatusService extends JobServiceGrpc.JobServiceImplBase {
  private final String jobName;
  private final String jobId;
  private final int parallelism;
  private final Supplier<JobMaster> jobMasters;
  private final Supplier<CheckpointStatsSnapshot> checkpoints;
  private final CredentialRedaction redaction;
  private final IntSupplier connectedWorkers;
  private final SavepointOperations savepoints;
  private final SavepointDisposer disposer;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService watchThread; // started by the first watcher; daemon

  /** How often the watch thread looks for a change to send. */
  private static final Duration WATCH_PERIOD = Duration.ofMillis(100);

  /** Deletes a savepoint by the location a caller gave. */
  @FunctionalInterface
  public interface SavepointDisposer {
    void dispose(String location) throws Exception;
  }

  /**
   * @param checkpoints the checkpoint statistics now, e.g. {@code CheckpointStatsTracker::snapshot}
   * @param redaction applied to the job's failure cause and restore path (the statistics are
   *     redacted already)
   */
  public JobStatusService(
      String jobName,
      String jobId,
      int parallelism,
      Supplier<JobMaster> jobMaster,
      Supplier<CheckpointStatsSnapshot> checkpoints,
      CredentialRedaction redaction,
      IntSupplier connectedWorkers,
      SavepointOperations savepoints,
      SavepointDisposer disposer) {
    this.jobName = jobName;
    this.jobId = jobId;
    this.parallelism = parallelism;
    this.jobMasters = jobMaster;
    this.checkpoints = checkpoints;
    this.redaction = redaction;
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

  /** A completed checkpoint or savepoint; its duration is the completion duration. */
  private static CheckpointSummary summary(CheckpointDetails checkpoint) {
    CheckpointSummary.Builder summary =
        CheckpointSummary.newBuilder()
            .setId(checkpoint.id())
            .setCompletionTimestampMs(checkpoint.completionTimestampMillis())
            .setDurationMs(checkpoint.completionDurationMillis())
            .setStateSizeBytes(checkpoint.stateSizeBytes());
    if (checkpoint.path() != null) {
      summary.setPath(checkpoint.path());
    }
    return summary.build();
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
    response.onNext(status());
    response.onCompleted();
  }

  /**
   * Registers a watcher; the watch thread sends it the status at once and then each change. Streams
   * end when the caller cancels them (or the server shuts down).
   */
  @Override
  public void watchJobStatus(JobStatusRequest request, StreamObserver<JobStatusResponse> response) {
    Watcher watcher = new Watcher((ServerCallStreamObserver<JobStatusResponse>) response);
    watcher.call.setOnCancelHandler(() -> watchers.remove(watcher));
    watchers.add(watcher);
    startWatchThread();
  }

  /** One watching caller; written to by the watch thread only. */
  private static final class Watcher {
    final ServerCallStreamObserver<JobStatusResponse> call;
    String lastSent;

    Watcher(ServerCallStreamObserver<JobStatusResponse> call) {
      this.call = call;
    }
  }

  private synchronized void startWatchThread() {
    if (watchThread != null) {
      return;
    }
    watchThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "job-status-watch");
              t.setDaemon(true);
              return t;
            });
    watchThread.scheduleWithFixedDelay(
        this::sendChanges, 0, WATCH_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** On the watch thread: the status to every watcher that has not seen this state of it. */
  private void sendChanges() {
    if (watchers.isEmpty()) {
      return;
    }
    JobStatusResponse now = status();
    String state = now.getStatus() + "/" + now.getAttempt() + "/" + now.getFailure();
    for (Watcher watcher : watchers) {
      if (state.equals(watcher.lastSent)) {
        continue;
      }
      try {
        watcher.call.onNext(now);
        watcher.lastSent = state;
      } catch (RuntimeException e) { // cancelled meanwhile
        watchers.remove(watcher);
      }
    }
  }

  private JobStatusResponse status() {
    JobMaster jobMaster = jobMasters.get();
    CheckpointStatsSnapshot stats = checkpoints.get();
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
                    .setTriggered(stats.counts().triggered())
                    .setInProgress(stats.counts().inProgress())
                    .setCompleted(stats.counts().completed())
                    .setFailed(stats.counts().failed())
                    .setRestored(stats.counts().restored()))
            .setRestoredFromCheckpoint(
                jobMaster.restoredCheckpointId() == null ? -1 : jobMaster.restoredCheckpointId());
    if (stats.latestCompleted() != null) {
      status.setLatestCompleted(summary(stats.latestCompleted()));
    }
    if (stats.latestSavepoint() != null) {
      status.setLatestSavepoint(summary(stats.latestSavepoint()));
    }
    if (jobMaster.restoredFromPath() != null) {
      status.setRestoredFromPath(redaction.redact(jobMaster.restoredFromPath()));
    }
    if (stats.latestFailed() != null) {
      status.setLatestFailure(stats.latestFailed().failureMessage());
    }
    if (jobMaster.failureCause() != null) {
      status.setFailure(redaction.redact(String.valueOf(jobMaster.failureCause())));
    }
    return status.build();
  }
}
