package dev.weir.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code weir-worker local FILE.yaml}: runs a StreamingJob manifest on this machine. */
@Command(name = "local", description = "Run a StreamingJob manifest on this machine.")
final class LocalCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "StreamingJob manifest")
  Path manifest;

  @Override
  public Integer call() {
    System.out.println("weir-worker " + WeirCommand.version());
    System.out.println("local mode: the runtime is not built yet; " + manifest + " was not run.");
    return 0;
  }
}
