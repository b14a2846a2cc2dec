package dev.weir.operator.reconciler;

import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.UpgradeKind;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The operator's own Prometheus metrics, next to JOSDK's reconciliation metrics. Scraped as {@code
 * weir_operator_reconciliations_total{outcome}}, {@code
 * weir_operator_transitions_started_total{kind}} (DEPLOY, UPGRADE, SUSPEND, RESUME, ROLLBACK),
 * {@code weir_operator_transitions_finished_total{kind,outcome}}, {@code
 * weir_operator_savepoints_triggered_total{trigger}} and {@code
 * weir_operator_savepoints_total{trigger,outcome}} (completed, failed).
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void reconciliation(String outcome) {
    registry.counter("weir.operator.reconciliations", "outcome", outcome).increment();
  }

  /** A savepoint request sent to a coordinator (not a repeated request for the same id). */
  void savepointTriggered(SavepointTrigger trigger) {
    registry.counter("weir.operator.savepoints.triggered", "trigger", trigger.name()).increment();
  }

  void transitionStarted(UpgradeKind kind) {
    registry.counter("weir.operator.transitions.started", "kind", kind.name()).increment();
  }

  void transitionFinished(UpgradeKind kind, String outcome) {
    registry
        .counter("weir.operator.transitions.finished", "kind", kind.name(), "outcome", outcome)
        .increment();
  }

  void savepoint(SavepointTrigger trigger, boolean completed) {
    registry
        .counter(
            "weir.operator.savepoints",
            "trigger",
            trigger.name(),
            "outcome",
            completed ? "completed" : "failed")
        .increment();
  }
}
