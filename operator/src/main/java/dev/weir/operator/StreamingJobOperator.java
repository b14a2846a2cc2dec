package dev.weir.operator;

import dev.weir.operator.coordinator.CoordinatorClients;
import dev.weir.operator.reconciler.OperatorMetrics;
import dev.weir.operator.reconciler.OperatorSettings;
import dev.weir.operator.reconciler.StreamingJobReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * One operator instance: JOSDK with the StreamingJob reconciler, metrics into the given registry,
 * and (when a lease is named) leader election, so of several replicas only the holder of the Lease
 * reconciles. Used by {@link WeirOperator} and, in-process, by the integration tests.
 */
public final class StreamingJobOperator implements AutoCloseable {
  private final Operator operator;

  /**
   * @param lease null: no leader election; otherwise the Lease name and namespace
   */
  public StreamingJobOperator(
      KubernetesClient client,
      CoordinatorClients coordinators,
      OperatorSettings settings,
      MeterRegistry registry,
      Lease lease,
      Clock clock) {
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(5));
              if (lease != null) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(lease.name(), lease.namespace()));
              }
            });
    StreamingJobReconciler reconciler =
        new StreamingJobReconciler(
            client, coordinators, settings, new OperatorMetrics(registry), clock);
    operator.register(
        reconciler,
        o -> {
          if (!settings.namespaces().isEmpty()) {
            o.settingNamespaces(settings.namespaces());
          }
        });
  }

  /** Name and namespace of the leader-election Lease. */
  public record Lease(String name, String namespace) {}

  public StreamingJobOperator start() {
    operator.start();
    return this;
  }

  @Override
  public void close() {
    operator.stop();
  }
}
