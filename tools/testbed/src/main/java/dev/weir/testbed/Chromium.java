package dev.weir.testbed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Headless Chromium from the test bed (Debian's package, installed by setup.sh when missing), to
 * see a page as a browser renders it. Each call runs a fresh browser with a fresh profile, so calls
 * share nothing and need no cleanup; stateless, any thread.
 *
 * <p>The browser is told to stay off the network except for the page it is given (no component
 * updates, sync, background requests or proxy), because the machine's network is closed and tests
 * only point it at loopback servers.
 */
public final class Chromium {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private Chromium() {}

  /** The Chromium binary; installs it first when it is missing. */
  public static Path binary() {
    return Testbed.binary("chromium");
  }

  /** Loads {@code url} and returns the DOM after the page loaded, serialized as HTML. */
  public static String dumpDom(String url) {
    return run(List.of("--dump-dom", url)).orThrow();
  }

  /**
   * Loads {@code url} and writes a PNG screenshot of a {@code width} x {@code height} window to
   * {@code png}; returns {@code png}.
   */
  public static Path screenshot(String url, Path png, int width, int height) {
    run(List.of(
            "--hide-scrollbars",
            "--window-size=" + width + "," + height,
            "--screenshot=" + png.toAbsolutePath(),
            url))
        .orThrow();
    if (!Files.isRegularFile(png)) {
      throw new IllegalStateException("chromium wrote no screenshot to " + png);
    }
    return png;
  }

  private static ExternalCommand.Result run(List<String> arguments) {
    Path binary = binary();
    try (ScratchDirectory profile = ScratchDirectory.create("weir-chromium-")) {
      List<String> command = new ArrayList<>();
      command.add(binary.toString());
      command.addAll(
          List.of(
              "--headless",
              // tests run as root in a container, where the sandbox cannot be set up
              "--no-sandbox",
              "--disable-gpu",
              // a small /dev/shm (containers) would crash the renderer
              "--disable-dev-shm-usage",
              "--disable-quic",
              "--no-first-run",
              "--no-default-browser-check",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--disable-extensions",
              "--no-proxy-server",
              "--user-data-dir=" + profile.path()));
      command.addAll(arguments);
      return new ExternalCommand(command, Map.of()).run(TIMEOUT);
    }
  }
}
