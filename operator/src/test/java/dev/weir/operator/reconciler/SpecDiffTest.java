package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.weir.operator.api.StreamingJobSpec;
import dev.weir.operator.resources.SpecCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SpecDiffTest {
  private static final String BASE =
      "{\"image\":\"w:1\",\"parallelism\":2,\"upgradeMode\":\"savepoint\",\"savepointTriggerNonce\":1}";

  @Test
  void parallelismOrImageChangeNeedsARestart() {
    SpecDiff diff =
        SpecDiff.between(
            BASE,
            "{\"image\":\"w:2\",\"parallelism\":3,\"upgradeMode\":\"savepoint\",\"savepointTriggerNonce\":1}");
    assertThat(diff.needsRestart()).isTrue();
    assertThat(diff.restartFields()).containsExactly("image", "parallelism");
  }

  @Test
  void operatorSettingsAndTheNonceAreIgnored() {
    SpecDiff diff =
        SpecDiff.between(
            BASE,
            "{\"image\":\"w:1\",\"parallelism\":2,\"upgradeMode\":\"last-state\",\"savepointTriggerNonce\":2}");
    assertThat(diff.needsRestart()).isFalse();
    assertThat(diff.fields()).containsExactly("savepointTriggerNonce", "upgradeMode");
  }

  @Test
  void anUnclassifiedFieldRestartsToBeSafe() {
    assertThat(SpecDiff.between(BASE, BASE.replace("}", ",\"newField\":true}")).needsRestart())
        .isTrue();
  }

  /**
   * Walks every property of the spec model, nested ones included, under the JSON names SpecDiff
   * compares. A nested field is classified by the entry of the top-level field holding it (a change
   * of {@code checkpointing.interval} is a change of {@code checkpointing}); a field without an
   * entry would only be restarted by the table's default, so it is named here instead.
   */
  @Test
  void everyFieldOfTheSpecModelIsClassifiedByTheTable() {
    List<String> unclassified =
        specFieldPaths().stream()
            .filter(path -> !SpecDiff.FIELDS.containsKey(path.split("\\.")[0]))
            .map(path -> "spec." + path)
            .toList();

    assertThat(unclassified)
        .as("spec fields missing from SpecDiff.FIELDS (classify them: IGNORE or RESTART)")
        .isEmpty();
  }

  /** SpecDiff compares top-level fields, so an entry for anything else would never be used. */
  @Test
  void theTableClassifiesNoFieldTheSpecDoesNotHaveAtItsTopLevel() {
    Set<String> stale = new TreeSet<>(SpecDiff.FIELDS.keySet());
    specFieldPaths().stream().filter(path -> !path.contains(".")).forEach(stale::remove);

    assertThat(stale).as("entries of SpecDiff.FIELDS that name no top-level spec field").isEmpty();
  }

  /** "image", "job", "job.entryClass", ...: every property path of the spec as JSON names it. */
  private static Set<String> specFieldPaths() {
    Set<String> paths = new TreeSet<>();
    collect(SpecCodec.json().constructType(StreamingJobSpec.class), "", paths, new ArrayList<>());
    assertThat(paths).as("the walk found the spec's fields").contains("image", "job.entryClass");
    return paths;
  }

  private static void collect(
      JavaType type, String prefix, Set<String> paths, List<Class<?>> seen) {
    if (type.isContainerType()) {
      collect(type.getContentType(), prefix, paths, seen);
      return;
    }
    Class<?> raw = type.getRawClass();
    // the CRD model's own types; Kubernetes types (resources, podTemplate) are taken whole
    if (!raw.getPackageName().equals(StreamingJobSpec.class.getPackageName())
        || raw.isEnum()
        || seen.contains(raw)) {
      return;
    }
    seen.add(raw);
    for (BeanPropertyDefinition property :
        SpecCodec.json().getSerializationConfig().introspect(type).findProperties()) {
      String path = prefix + property.getName();
      paths.add(path);
      collect(property.getPrimaryType(), path + ".", paths, seen);
    }
    seen.remove(raw);
  }
}
