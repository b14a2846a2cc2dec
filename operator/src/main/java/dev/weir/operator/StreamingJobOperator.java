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
                    new LeaderElectionConfiguration(
                        lease.name(),
                        lease.namespace(),
                        lease.duration(),
                        lease.renewDeadline(),
                        lease.retryPeriod(),
                        lease.identity(),
                        null,
                        lease.exitWhenLost()));
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

  /**
   * The leader-election Lease. Only its holder starts the StreamingJob controller; the others wait
   * and take over when the holder stops renewing it (at most {@code duration} after it stopped).
   *
   * @param namespace null: the client's namespace
   * @param identity null: a random one
   * @param exitWhenLost exit the JVM when leadership is lost (the pod restarts and competes again),
   *     so a replica that lost the Lease never reconciles on; false only for in-process tests
   */
  public record Lease(
      String name,
      String namespace,
      Duration duration,
      Duration renewDeadline,
      Duration retryPeriod,
      String identity,
      boolean exitWhenLost) {

    public Lease {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("the leader-election lease needs a name");
      }
      if (renewDeadline.compareTo(duration) >= 0) {
        throw new IllegalArgumentException(
            "lease renew deadline "
                + renewDeadline
                + " must be shorter than its duration "
                + duration);
      }
    }

    /** JOSDK's defaults (15s lease, 10s renew deadline, 2s retry), exiting when lost. */
    public static Lease of(String name, String namespace) {
      return new Lease(
          name,
          namespace,
          LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
          LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
          LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
          null,
          true);
    }
  }

  public StreamingJobOperator start() {
    operator.start();
    return this;
  }

  @Override
  public void close() {
    operator.stop();
  }
}
