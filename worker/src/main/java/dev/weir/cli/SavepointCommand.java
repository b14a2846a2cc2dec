package dev.weir.cli;

import dev.weir.proto.runtime.DisposeSavepointRequest;
import dev.weir.proto.runtime.JobServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code weir-worker savepoint --coordinator HOST:PORT}: takes a savepoint of a running job through
 * the coordinator's gRPC API and prints its location on standard output (the path {@code
 * --from-savepoint} takes); the job goes on ({@code stop} stops it). {@code --dispose PATH} deletes
 * a savepoint instead.
 *
 * <p>Exit codes: 0 done, 1 the savepoint failed (the job goes on), 2 error (coordinator
 * unreachable, bad arguments, timeout).
 */
@Command(
    name = "savepoint",
    description = "Take a savepoint of a running job (it goes on), or dispose of one (--dispose).")
final class SavepointCommand implements Callable<Integer> {

  @Mixin CoordinatorApi api;
  @Mixin SavepointTrigger trigger;

  @Option(
      names = "--dispose",
      paramLabel = "PATH",
      description = "delete this savepoint instead of taking one")
  String dispose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (dispose == null) {
      return trigger.run(api, false, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
    for (String takingOnly : new String[] {"--request-id", "--timeout"}) {
      if (spec.commandLine().getParseResult().hasMatchedOption(takingOnly)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), takingOnly + " is for taking a savepoint, not with --dispose");
      }
    }
    ManagedChannel channel = api.open();
    try {
      JobServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .disposeSavepoint(DisposeSavepointRequest.newBuilder().setPath(dispose).build());
      spec.commandLine().getErr().println("disposed of savepoint " + dispose);
      return 0;
    } catch (StatusRuntimeException e) {
      spec.commandLine().getErr().println(api.describe(e));
      return 2;
    } finally {
      channel.shutdownNow();
    }
  }
}
