package dev.weir.operator;

import dev.weir.operator.coordinator.GrpcCoordinatorClients;
import dev.weir.operator.reconciler.Durations;
import dev.weir.operator.reconciler.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the operator image. Configuration comes from the environment (the Helm chart sets
 * it), is validated at start and frozen:
 *
 * <ul>
 *   <li>{@code WEIR_WATCH_NAMESPACES}: comma-separated namespaces; empty = all
 *   <li>{@code WEIR_POLL_INTERVAL} (10s), {@code WEIR_ACTIVE_POLL_INTERVAL} (500ms), {@code
 *       WEIR_SAVEPOINT_TIMEOUT} (10m), {@code WEIR_UPGRADE_TIMEOUT} (5m)
 *   <li>{@code WEIR_LEADER_ELECTION_LEASE} (weir-operator; empty disables), {@code POD_NAMESPACE}
 *       (the Lease's namespace)
 *   <li>{@code WEIR_METRICS_PORT} (8080): {@code /metrics} and {@code /healthz}
 * </ul>
 */
public final class WeirOperator {
  private static final Logger LOG = LoggerFactory.getLogger(WeirOperator.class);

  private WeirOperator() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    if (args.length > 0 && args[0].equals("--version")) {
      String version = WeirOperator.class.getPackage().getImplementationVersion();
      System.out.println("weir-operator " + (version == null ? "dev" : version));
      return;
    }
    OperatorSettings settings = settings(env);
    String leaseName = env.getOrDefault("WEIR_LEADER_ELECTION_LEASE", "weir-operator");
    String leaseNamespace = env.get("POD_NAMESPACE");
    int metricsPort = port(env, "WEIR_METRICS_PORT", 8080);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MetricsEndpoint http = MetricsEndpoint.start(null, metricsPort, registry);

    KubernetesClient client = new KubernetesClientBuilder().build();
    StreamingJobOperator.Lease lease =
        leaseName.isBlank()
            ? null
            : StreamingJobOperator.Lease.of(
                leaseName,
                leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace);
    GrpcCoordinatorClients coordinators = new GrpcCoordinatorClients(Duration.ofSeconds(5));
    StreamingJobOperator operator =
        new StreamingJobOperator(
            client, coordinators, settings, registry, lease, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.close();
                  coordinators.close();
                  http.close();
                  stopped.countDown();
                }));
    operator.start();
    LOG.info(
        "weir-operator started: namespaces {}, poll every {}, lease {}",
        settings.namespaces().isEmpty() ? "all" : settings.namespaces(),
        settings.pollInterval(),
        lease == null ? "none" : lease);
    stopped.await();
  }

  static OperatorSettings settings(Map<String, String> env) {
    OperatorSettings d = OperatorSettings.defaults();
    Set<String> namespaces =
        Arrays.stream(env.getOrDefault("WEIR_WATCH_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    return new OperatorSettings(
        duration(env, "WEIR_POLL_INTERVAL", d.pollInterval()),
        duration(env, "WEIR_ACTIVE_POLL_INTERVAL", d.activePollInterval()),
        duration(env, "WEIR_SAVEPOINT_TIMEOUT", d.savepointTimeout()),
        duration(env, "WEIR_UPGRADE_TIMEOUT", d.defaultUpgradeTimeout()),
        namespaces);
  }

  static int port(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + "='" + value + "' is not a port (0-65535)");
  }

  private static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String value = env.get(name);
    try {
      return Durations.parse(value, fallback);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          name + "='" + value + "' is not a duration (use e.g. 500ms, 10s, 5m, 1h)", e);
    }
  }
}
