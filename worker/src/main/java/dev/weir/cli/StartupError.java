package dev.weir.cli;

/**
 * A problem that keeps a command from starting, which the user must fix (an unusable manifest, a
 * busy port); its message is complete and names what to fix and where. {@link WeirCommand} prints
 * it as one line and ends the process with exit code 2.
 */
final class StartupError extends Exception {
  StartupError(String message) {
    super(message);
  }

  /** {@code option port: cannot listen on host:port: why}, for a port that is taken. */
  static StartupError cannotListen(String option, String host, int port, Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String why = root.getMessage() == null ? root.toString() : root.getMessage();
    return new StartupError(
        option + " " + port + ": cannot listen on " + host + ":" + port + ": " + why);
  }
}
