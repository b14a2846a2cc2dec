package dev.weir.chaos;

import dev.weir.chaos.ChaosRun.Outcome;
import dev.weir.chaos.ChaosRun.Report;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The figures of a soak: totals over its runs' reports, printed as a Markdown table. */
record SoakSummary(
    long seed,
    String commit,
    int runs,
    Map<FaultKind, Integer> injected,
    Map<FaultKind, Integer> skipped,
    long lost,
    long duplicated,
    int stuck,
    int unplannedCoordinatorExits,
    Duration elapsed) {

  static SoakSummary of(long seed, String commit, List<Report> reports) {
    Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);
    Map<FaultKind, Integer> skipped = new EnumMap<>(FaultKind.class);
    for (FaultKind kind : FaultKind.values()) {
      injected.put(kind, 0);
      skipped.put(kind, 0);
    }
    long lost = 0;
    long duplicated = 0;
    int stuck = 0;
    int exits = 0;
    Duration elapsed = Duration.ZERO;
    for (Report r : reports) {
      r.injected().forEach((k, n) -> injected.merge(k, n, Integer::sum));
      r.skipped().forEach((k, n) -> skipped.merge(k, n, Integer::sum));
      lost += Math.max(0, r.lost());
      duplicated += Math.max(0, r.duplicated());
      stuck += r.outcome() == Outcome.STUCK ? 1 : 0;
      exits += r.unplannedCoordinatorExits();
      elapsed = elapsed.plus(r.elapsed());
    }
    return new SoakSummary(
        seed, commit, reports.size(), injected, skipped, lost, duplicated, stuck, exits, elapsed);
  }

  /** No loss, no duplication, every run finished. */
  boolean clean() {
    return lost == 0 && duplicated == 0 && stuck == 0;
  }

  int totalInjected() {
    return injected.values().stream().mapToInt(Integer::intValue).sum();
  }

  String table() {
    StringBuilder t = new StringBuilder();
    t.append("| runs |");
    for (FaultKind kind : FaultKind.values()) {
      t.append(' ').append(kind.label).append(" |");
    }
    t.append(" faults | lost | duplicated | stuck | seed | commit |\n|---|");
    t.append("---|".repeat(FaultKind.values().length));
    t.append("---|---|---|---|---|---|\n");
    t.append("| ").append(runs).append(" |");
    for (FaultKind kind : FaultKind.values()) {
      t.append(' ').append(injected.get(kind));
      if (skipped.get(kind) > 0) {
        t.append(" (+").append(skipped.get(kind)).append(" skipped)");
      }
      t.append(" |");
    }
    t.append(' ')
        .append(totalInjected())
        .append(" | ")
        .append(lost)
        .append(" | ")
        .append(duplicated)
        .append(" | ")
        .append(stuck)
        .append(" | ")
        .append(seed)
        .append(" | ")
        .append(commit)
        .append(" |\n");
    return t.toString();
  }
}
