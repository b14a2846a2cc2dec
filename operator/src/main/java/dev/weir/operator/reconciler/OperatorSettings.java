package dev.weir.operator.reconciler;

import java.time.Duration;
import java.util.Set;

/**
 * The operator's configuration, read once at start-up (environment variables, see {@code
 * docs/operator.md}) and frozen.
 *
 * @param pollInterval how often a job's coordinator is asked for its state, events or not
 * @param activePollInterval how often instead while a transition or a savepoint is under way or a
 *     running job is not Ready (each step of an upgrade waits at most this long for the next round)
 * @param savepointTimeout a savepoint not finished after this long counts as failed
 * @param defaultUpgradeTimeout readiness timeout of an upgrade when spec.upgradeTimeout is unset
 * @param namespaces watched namespaces; empty means all
 */
public record OperatorSettings(
    Duration pollInterval,
    Duration activePollInterval,
    Duration savepointTimeout,
    Duration defaultUpgradeTimeout,
    Set<String> namespaces) {

  public static OperatorSettings defaults() {
    return new OperatorSettings(
        Duration.ofSeconds(10),
        Duration.ofMillis(500),
        Duration.ofMinutes(10),
        Duration.ofMinutes(5),
        Set.of());
  }
}
