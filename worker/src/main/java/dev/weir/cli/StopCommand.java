package dev.weir.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code weir-worker stop --coordinator HOST:PORT}: stop-with-savepoint; prints the savepoint's
 * path and exits 0 once it completed (the job then finishes).
 */
@Command(
    name = "stop",
    description =
        "Stop a running job with a savepoint: the sinks commit, the savepoint's path is printed.")
final class StopCommand implements Callable<Integer> {
  @Mixin CoordinatorApi api;
  @Mixin SavepointTrigger trigger;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return trigger.run(api, true, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
