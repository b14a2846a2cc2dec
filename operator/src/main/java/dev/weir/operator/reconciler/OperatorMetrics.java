package dev.weir.operator.reconciler;

import dev.weir.operator.api.SavepointTrigger;
import dev.weir.operator.api.UpgradeKind;
import io.micrometer.core.instrument.MeterRegistry;

/** The operator's own Prometheus metrics, next to JOSDK's reconciliation metrics. */
public final class OperatorMetrics {
  private final MeterRegistry registry;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
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
