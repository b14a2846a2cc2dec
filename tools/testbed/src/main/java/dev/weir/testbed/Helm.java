package dev.weir.testbed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test bed's helm binary, for commands that need no cluster ({@code template}, {@code lint}).
 */
public final class Helm {
  private Helm() {}

  public static ExternalCommand.Result run(String... args) {
    return run(Map.of(), args);
  }

  static ExternalCommand.Result run(Map<String, String> extraEnvironment, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Testbed.binary("helm").toString());
    command.addAll(List.of(args));
    // helm keeps its caches in the test bed, never in the user's home
    Map<String, String> environment = new HashMap<>(extraEnvironment);
    environment.put("HELM_CACHE_HOME", Testbed.cacheDir().resolve("helm/cache").toString());
    environment.put("HELM_CONFIG_HOME", Testbed.cacheDir().resolve("helm/config").toString());
    environment.put("HELM_DATA_HOME", Testbed.cacheDir().resolve("helm/data").toString());
    return new ExternalCommand(command, environment).run(Duration.ofMinutes(2));
  }
}
