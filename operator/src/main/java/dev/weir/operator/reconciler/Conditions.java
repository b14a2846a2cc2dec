package dev.weir.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import java.util.Objects;

/** Sets a status condition, keeping its lastTransitionTime while its status does not change. */
final class Conditions {
  static final String READY = "Ready";
  static final String PROGRESSING = "Progressing";
  static final String DEGRADED = "Degraded";
  static final String SAVEPOINT = "Savepoint";

  private Conditions() {}

  static void set(
      List<Condition> conditions,
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      String now) {
    String value = status ? "True" : "False";
    Condition existing =
        conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition =
        existing != null && value.equals(existing.getStatus())
            ? existing.getLastTransitionTime()
            : now;
    Condition next =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message == null ? "" : message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build();
    if (existing != null && Objects.equals(existing, next)) {
      return;
    }
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(next);
    conditions.sort((a, b) -> order(a.getType()) - order(b.getType()));
  }

  static Condition get(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static int order(String type) {
    return List.of(READY, PROGRESSING, DEGRADED, SAVEPOINT).indexOf(type);
  }
}
