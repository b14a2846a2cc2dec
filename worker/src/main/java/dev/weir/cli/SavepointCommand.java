package dev.weir.cli;

import dev.weir.config.Durations;
import dev.weir.proto.runtime.DisposeSavepointRequest;
import dev.weir.proto.runtime.GetSavepointRequest;
import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.SavepointOperation;
import dev.weir.proto.runtime.TriggerSavepointRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code weir-worker savepoint --coordinator HOST:PORT [--stop]}: takes a savepoint of a running
 * job through the coordinator's gRPC API and prints its location on standard output (the path
 * {@code --from-savepoint} takes). {@code --dispose PATH} deletes a savepoint instead.
 *
 * <p>Exit codes: 0 done, 1 the savepoint failed (the job goes on), 2 error (coordinator
 * unreachable, bad arguments, timeout).
 */
@Command(
    name = "savepoint",
    description = "Take a savepoint of a running job (--stop: then stop it), or dispose of one.")
class SavepointCommand implements Callable<Integer> {

  @Option(
      names = "--coordinator",
      defaultValue = "${env:WEIR_COORDINATOR}",
      required = true,
      description = "host:port of the coordinator's API (printed when the job starts)")
  String coordinator;

  @Option(names = "--stop", description = "stop the job after the savepoint (sinks commit)")
  boolean stop;

  @Option(
      names = "--request-id",
      description = "idempotency key: repeating a request id returns the first request's outcome")
  String requestId;

  @Option(
      names = "--dispose",
      paramLabel = "PATH",
      description = "delete this savepoint instead of taking one")
  String dispose;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      description = "how long to wait for the savepoint (default ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() throws Exception {
    Duration limit = Durations.parse(timeout);
    int colon = coordinator.lastIndexOf(':');
    if (colon < 1) {
      System.err.println("--coordinator must be host:port, got " + coordinator);
      return 2;
    }
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                coordinator.substring(0, colon), Integer.parseInt(coordinator.substring(colon + 1)))
            .usePlaintext()
            .build();
    try {
      JobServiceGrpc.JobServiceBlockingStub api = JobServiceGrpc.newBlockingStub(channel);
      if (dispose != null) {
        api.withDeadlineAfter(30, TimeUnit.SECONDS)
            .disposeSavepoint(DisposeSavepointRequest.newBuilder().setPath(dispose).build());
        System.err.println("disposed of savepoint " + dispose);
        return 0;
      }
      String id = requestId != null ? requestId : UUID.randomUUID().toString();
      SavepointOperation operation =
          api.withDeadlineAfter(30, TimeUnit.SECONDS)
              .triggerSavepoint(
                  TriggerSavepointRequest.newBuilder().setRequestId(id).setStop(stop).build());
      long deadline = System.nanoTime() + limit.toNanos();
      while (operation.getState() == SavepointOperation.State.IN_PROGRESS) {
        if (System.nanoTime() > deadline) {
          System.err.println("the savepoint did not complete within " + timeout);
          return 2;
        }
        Thread.sleep(100);
        operation =
            api.withDeadlineAfter(30, TimeUnit.SECONDS)
                .getSavepoint(GetSavepointRequest.newBuilder().setRequestId(id).build());
      }
      switch (operation.getState()) {
        case COMPLETED:
          System.err.printf(
              "savepoint %d completed%s%n",
              operation.getCheckpointId(), stop ? "; the job is stopping" : "");
          System.out.println(operation.getPath());
          return 0;
        case FAILED:
          System.err.println("savepoint failed: " + operation.getFailure());
          return 1;
        default:
          System.err.println("the coordinator lost track of request " + id);
          return 2;
      }
    } catch (StatusRuntimeException e) {
      System.err.println(
          "coordinator "
              + coordinator
              + ": "
              + e.getStatus().getCode()
              + " "
              + e.getStatus().getDescription());
      return 2;
    } finally {
      channel.shutdownNow();
    }
  }
}
