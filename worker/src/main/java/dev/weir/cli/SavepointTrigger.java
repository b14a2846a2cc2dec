package dev.weir.cli;

import dev.weir.proto.runtime.GetSavepointRequest;
import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.SavepointOperation;
import dev.weir.proto.runtime.TriggerSavepointRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * {@code [--request-id ID] [--timeout D]}: triggers a savepoint (or stop-with-savepoint) through
 * the coordinator's API and waits for its outcome; prints the savepoint's path on standard output.
 * Shared by {@code savepoint} and {@code stop}.
 *
 * <p>Exit codes: 0 completed, 1 the savepoint failed (the job goes on), 2 error (coordinator
 * unreachable, timeout).
 */
final class SavepointTrigger {
  @Option(
      names = "--request-id",
      description = "idempotency key: repeating a request id returns the first request's outcome")
  String requestId;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description = "how long to wait for the savepoint")
  Duration timeout;

  /**
   * @param out gets the savepoint's path, and nothing else
   * @param err gets what happened
   */
  int run(CoordinatorApi api, boolean stop, PrintWriter out, PrintWriter err)
      throws InterruptedException {
    ManagedChannel channel = api.open();
    try {
      JobServiceGrpc.JobServiceBlockingStub stub = JobServiceGrpc.newBlockingStub(channel);
      String id = requestId != null ? requestId : UUID.randomUUID().toString();
      SavepointOperation operation =
          stub.withDeadlineAfter(30, TimeUnit.SECONDS)
              .triggerSavepoint(
                  TriggerSavepointRequest.newBuilder().setRequestId(id).setStop(stop).build());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (operation.getState() == SavepointOperation.State.IN_PROGRESS) {
        if (System.nanoTime() > deadline) {
          err.println(
              "the savepoint did not complete within "
                  + timeout.toMillis()
                  + " ms (--timeout); request id "
                  + id);
          return 2;
        }
        Thread.sleep(100);
        operation =
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .getSavepoint(GetSavepointRequest.newBuilder().setRequestId(id).build());
      }
      switch (operation.getState()) {
        case COMPLETED:
          err.printf(
              "savepoint %d completed%s%n",
              operation.getCheckpointId(), stop ? "; the job is stopping" : "");
          out.println(operation.getPath());
          return 0;
        case FAILED:
          err.println("savepoint failed: " + operation.getFailure());
          return 1;
        default:
          err.println("the coordinator lost track of request " + id);
          return 2;
      }
    } catch (StatusRuntimeException e) {
      err.println(api.describe(e));
      return 2;
    } finally {
      out.flush();
      err.flush();
      channel.shutdownNow();
    }
  }
}
