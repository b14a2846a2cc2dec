package dev.weir.api.connectors;

import dev.weir.api.connectors.spi.ConnectorProvider;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The runtime's {@link ConnectorProvider}, looked up on first use. Thread-safe: two threads that
 * race may both look it up, and get equal answers.
 */
final class BuiltInConnectors {
  private static volatile ConnectorProvider provider;

  private BuiltInConnectors() {}

  static ConnectorProvider provider() {
    ConnectorProvider found = provider;
    if (found == null) {
      found = lookUp();
      provider = found;
    }
    return found;
  }

  private static ConnectorProvider lookUp() {
    List<ConnectorProvider> found =
        ServiceLoader.load(ConnectorProvider.class, ConnectorProvider.class.getClassLoader())
            .stream()
            .map(ServiceLoader.Provider::get)
            .toList();
    if (found.isEmpty()) {
      throw new IllegalStateException(
          "the built-in connectors come with the Weir runtime (weir-worker), which is not on the"
              + " class path: run the job on the runtime, or implement Source and Sink yourself");
    }
    if (found.size() > 1) {
      throw new IllegalStateException(
          "more than one Weir runtime on the class path provides the built-in connectors: "
              + found.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", ")));
    }
    return found.get(0);
  }
}
