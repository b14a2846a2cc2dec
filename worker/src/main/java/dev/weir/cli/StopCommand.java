package dev.weir.cli;

import picocli.CommandLine.Command;

/** {@code weir-worker stop --coordinator HOST:PORT}: stop-with-savepoint; prints the savepoint. */
@Command(
    name = "stop",
    description =
        "Stop a running job with a savepoint: the sinks commit, the savepoint is printed.")
final class StopCommand extends SavepointCommand {
  @Override
  public Integer call() throws Exception {
    stop = true;
    return super.call();
  }
}
