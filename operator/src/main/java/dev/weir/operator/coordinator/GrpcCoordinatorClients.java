package dev.weir.operator.coordinator;

import dev.weir.operator.resources.JobObjectNames;
import dev.weir.proto.runtime.DisposeSavepointRequest;
import dev.weir.proto.runtime.GetSavepointRequest;
import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.JobStatusRequest;
import dev.weir.proto.runtime.JobStatusResponse;
import dev.weir.proto.runtime.SavepointOperation;
import dev.weir.proto.runtime.TriggerSavepointRequest;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * Clients over gRPC, one channel per job kept for the operator's life (channels reconnect by
 * themselves). The operator's rounds are the retry schedule: a channel in transient failure has its
 * reconnect backoff reset before each call, so a coordinator that restarted (a new pod behind the
 * same Service) is reached at the next round instead of after gRPC's exponential backoff, which
 * grows to minutes and held every rescale for seconds. The address of a job's coordinator is {@code
 * <name>-coordinator.<ns>.svc:6123} unless another resolver is given (tests, an operator run
 * outside the cluster).
 */
public final class GrpcCoordinatorClients implements CoordinatorClients {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final BiFunction<String, String, String> address;
  private final Duration deadline;

  public GrpcCoordinatorClients(Duration deadline) {
    this(JobObjectNames::coordinatorAddress, deadline);
  }

  public GrpcCoordinatorClients(BiFunction<String, String, String> address, Duration deadline) {
    this.address = address;
    this.deadline = deadline;
  }

  @Override
  public CoordinatorClient forJob(String namespace, String name) {
    String target = address.apply(name, namespace);
    ManagedChannel channel =
        channels.computeIfAbsent(
            target, t -> NettyChannelBuilder.forTarget(t).usePlaintext().build());
    return new GrpcCoordinatorClient(channel, target, deadline);
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  private static final long RECONNECT_WAIT_MS = 1000;

  private record GrpcCoordinatorClient(ManagedChannel channel, String target, Duration deadline)
      implements CoordinatorClient {

    private JobServiceGrpc.JobServiceBlockingStub stub() {
      JobServiceGrpc.JobServiceBlockingStub stub = JobServiceGrpc.newBlockingStub(channel);
      if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        // reconnect now, and let this call wait for that attempt (briefly) instead of failing
        // with the cached error of the last one
        channel.resetConnectBackoff();
        return stub.withWaitForReady()
            .withDeadlineAfter(
                Math.min(deadline.toMillis(), RECONNECT_WAIT_MS), TimeUnit.MILLISECONDS);
      }
      return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public JobObservation jobStatus() {
      try {
        JobStatusResponse r = stub().getJobStatus(JobStatusRequest.getDefaultInstance());
        JobObservation.CheckpointSummary latest =
            r.hasLatestCompleted()
                ? new JobObservation.CheckpointSummary(
                    r.getLatestCompleted().getId(),
                    r.getLatestCompleted().getCompletionTimestampMs(),
                    r.getLatestCompleted().getDurationMs(),
                    r.getLatestCompleted().getStateSizeBytes(),
                    r.getLatestCompleted().getPath())
                : null;
        String failure = r.getFailure().isEmpty() ? null : r.getFailure();
        String restored = r.getRestoredFromPath().isEmpty() ? null : r.getRestoredFromPath();
        return new JobObservation(
            r.getJobId(), r.getStatus(), r.getParallelism(), latest, failure, restored);
      } catch (StatusRuntimeException e) {
        throw unavailable("GetJobStatus", e);
      }
    }

    @Override
    public SavepointOutcome triggerSavepoint(String requestId, boolean stop) {
      try {
        return outcome(
            stub()
                .triggerSavepoint(
                    TriggerSavepointRequest.newBuilder()
                        .setRequestId(requestId)
                        .setStop(stop)
                        .build()));
      } catch (StatusRuntimeException e) {
        throw unavailable("TriggerSavepoint", e);
      }
    }

    @Override
    public SavepointOutcome savepoint(String requestId) {
      try {
        return outcome(
            stub().getSavepoint(GetSavepointRequest.newBuilder().setRequestId(requestId).build()));
      } catch (StatusRuntimeException e) {
        throw unavailable("GetSavepoint", e);
      }
    }

    @Override
    public void disposeSavepoint(String path) {
      try {
        stub().disposeSavepoint(DisposeSavepointRequest.newBuilder().setPath(path).build());
      } catch (StatusRuntimeException e) {
        throw unavailable("DisposeSavepoint", e);
      }
    }

    @Override
    public Watch watch(Runnable onChange, Runnable onEnd) {
      AtomicReference<ClientCallStreamObserver<JobStatusRequest>> call = new AtomicReference<>();
      AtomicBoolean ended = new AtomicBoolean();
      Runnable end =
          () -> {
            if (ended.compareAndSet(false, true)) {
              onEnd.run();
            }
          };
      JobServiceGrpc.newStub(channel)
          .watchJobStatus(
              JobStatusRequest.getDefaultInstance(),
              new ClientResponseObserver<JobStatusRequest, JobStatusResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<JobStatusRequest> stream) {
                  call.set(stream);
                }

                @Override
                public void onNext(JobStatusResponse status) {
                  onChange.run();
                }

                @Override
                public void onError(Throwable t) {
                  end.run();
                }

                @Override
                public void onCompleted() {
                  end.run();
                }
              });
      return () -> {
        ClientCallStreamObserver<JobStatusRequest> stream = call.get();
        if (stream != null) {
          stream.cancel("closed by the operator", null);
        }
      };
    }

    private static SavepointOutcome outcome(SavepointOperation op) {
      SavepointOutcome.State state =
          switch (op.getState()) {
            case IN_PROGRESS -> SavepointOutcome.State.IN_PROGRESS;
            case COMPLETED -> SavepointOutcome.State.COMPLETED;
            case FAILED -> SavepointOutcome.State.FAILED;
            default -> SavepointOutcome.State.UNKNOWN;
          };
      return new SavepointOutcome(
          op.getRequestId(),
          state,
          op.getPath().isEmpty() ? null : op.getPath(),
          op.getCheckpointId(),
          op.getFailure().isEmpty() ? null : op.getFailure());
    }

    private CoordinatorUnavailableException unavailable(String call, StatusRuntimeException e) {
      return new CoordinatorUnavailableException(
          call + " to " + target + " failed: " + e.getStatus(), e);
    }
  }
}
