package dev.weir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

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
}
