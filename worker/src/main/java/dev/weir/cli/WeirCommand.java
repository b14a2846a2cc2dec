package dev.weir.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * {@code java -jar weir-worker.jar <role> ...}: the one entry point of the runtime.
 *
 * <p>Every command inherits {@code --help} and {@code --version} and shows its defaults. A bad
 * option value is one line naming the option and the value, then the usage, exit code 2 (picocli's
 * converters: {@link DurationConverter}, {@link PortConverter}, {@link HostAndPort.Converter},
 * {@link JobIdConverter}); a {@link StartupError} is one line, exit code 2.
 */
@Command(
    name = "weir-worker",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    scope = ScopeType.INHERIT,
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

  /** Exit code of a usage error, a bad option value or a {@link StartupError}. */
  static final int USAGE = CommandLine.ExitCode.USAGE;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line of the jar, with its handling of start-up errors. */
  static CommandLine commandLine() {
    return new CommandLine(new WeirCommand())
        .setExecutionExceptionHandler(
            (error, command, parseResult) -> {
              if (error instanceof StartupError) {
                command.getErr().println(error.getMessage());
                command.getErr().flush();
                return USAGE;
              }
              throw error;
            });
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
