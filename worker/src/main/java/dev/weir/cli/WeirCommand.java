package dev.weir.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar weir-worker.jar <role> ...}: the one entry point of the runtime. */
@Command(
    name = "weir-worker",
    mixinStandardHelpOptions = true,
    versionProvider = WeirCommand.Version.class,
    description = "Weir runtime: stateful stream processing with barrier checkpoints.",
    subcommands = {
      LocalCommand.class,
      CoordinatorCommand.class,
      WorkerCommand.class,
      QueryCommand.class,
      SavepointCommand.class,
      StopCommand.class,
      CommandLine.HelpCommand.class
    })
public final class WeirCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new WeirCommand()).execute(args));
  }

  /** The version the jar was built as. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"weir-worker " + version()};
    }
  }

  static String version() {
    String version = WeirCommand.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
