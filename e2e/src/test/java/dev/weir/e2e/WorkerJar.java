package dev.weir.e2e;

import dev.weir.testbed.ExternalCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The built {@code worker/target/weir-worker.jar}, run as a real process. */
final class WorkerJar {
  private WorkerJar() {}

  static Path path() {
    Path root =
        Path.of(System.getProperty("weir.repo.root", Path.of("..").toAbsolutePath().toString()));
    Path jar = root.resolve("worker/target/weir-worker.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run the build (mvn package) first");
    }
    return jar;
  }

  static ExternalCommand.Result run(Map<String, String> env, Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of("java", "-jar", path().toString()));
    command.addAll(List.of(args));
    return new ExternalCommand(command, env).run(timeout);
  }
}
