package dev.weir.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weir.operator.resources.SpecCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * How a change of each top-level spec field is applied to a running job (like the Flink operator's
 * {@code @SpecDiff}); a nested field goes with the top-level field holding it. A field missing from
 * the table restarts the job, so a spec from a newer operator is safe, but {@code SpecDiffTest}
 * fails for any field of the model without an entry: a new field is classified when it is added.
 */
public record SpecDiff(Change change, List<String> fields) {

  /** What a changed field needs. */
  public enum Change {
    /** Nothing to do on the running job (operator-only settings, or used at the next restore). */
    IGNORE,
    /** Redeploy the job through its upgradeMode. */
    RESTART
  }

  static final Map<String, Change> FIELDS =
      Map.ofEntries(
          Map.entry("image", Change.RESTART),
          Map.entry("job", Change.RESTART),
          Map.entry("parallelism", Change.RESTART),
          Map.entry("maxParallelism", Change.RESTART),
          Map.entry("checkpointing", Change.RESTART),
          Map.entry("stateBackend", Change.RESTART),
          Map.entry("storage", Change.RESTART),
          Map.entry("restartStrategy", Change.RESTART),
          Map.entry("coordinator", Change.RESTART),
          Map.entry("workers", Change.RESTART),
          // used only by a restore, so the next restore picks it up
          Map.entry("allowNonRestoredState", Change.IGNORE),
          // used only by the first deployment
          Map.entry("initialSavepointPath", Change.IGNORE),
          // operator settings
          Map.entry("upgradeMode", Change.IGNORE),
          Map.entry("upgradeTimeout", Change.IGNORE),
          Map.entry("savepointOnDeletion", Change.IGNORE),
          // handled by their own flows (suspend/resume, savepoint trigger)
          Map.entry("state", Change.IGNORE),
          Map.entry("savepointTriggerNonce", Change.IGNORE));

  public static SpecDiff between(String deployedJson, String desiredJson) {
    JsonNode before = SpecCodec.readTree(deployedJson);
    JsonNode after = SpecCodec.readTree(desiredJson);
    TreeSet<String> names = new TreeSet<>();
    before.fieldNames().forEachRemaining(names::add);
    after.fieldNames().forEachRemaining(names::add);
    List<String> changed = new ArrayList<>();
    Change change = Change.IGNORE;
    for (Iterator<String> it = names.iterator(); it.hasNext(); ) {
      String name = it.next();
      if (!Objects.equals(before.get(name), after.get(name))) {
        changed.add(name);
        if (FIELDS.getOrDefault(name, Change.RESTART) == Change.RESTART) {
          change = Change.RESTART;
        }
      }
    }
    return new SpecDiff(change, List.copyOf(changed));
  }

  public boolean needsRestart() {
    return change == Change.RESTART;
  }

  /** The changed fields that need the restart. */
  public List<String> restartFields() {
    return fields.stream()
        .filter(f -> FIELDS.getOrDefault(f, Change.RESTART) == Change.RESTART)
        .toList();
  }
}
