package dev.weir.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialRedactionTest {

  @Test
  void masksTheS3KeysOfTheEnvironmentWhereverTheyAppear() {
    CredentialRedaction redaction =
        CredentialRedaction.fromEnvironment(
            Map.of("WEIR_S3_ACCESS_KEY", "weir-access-123", "WEIR_S3_SECRET_KEY", "very-secret-456")
                ::get);

    assertThat(redaction.redact("user weir-access-123 with key very-secret-456xyz"))
        .isEqualTo("user *** with key ***xyz");
  }

  @Test
  void masksTheAwsVariablesToo() {
    CredentialRedaction redaction =
        CredentialRedaction.fromEnvironment(
            Map.of("AWS_ACCESS_KEY_ID", "AKIA0000EXAMPLE", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")
                ::get);

    assertThat(redaction.redact("AKIA0000EXAMPLE/wJalrXUtnFEMI")).isEqualTo("***/***");
  }

  @Test
  void masksTheUserInfoOfUrls() {
    CredentialRedaction redaction = CredentialRedaction.of(List.of());

    assertThat(redaction.redact("failed: https://user:pa55@minio.local:9000/bucket/x"))
        .isEqualTo("failed: https://***@minio.local:9000/bucket/x");
    assertThat(redaction.redact("file:///data/chk-1/_metadata"))
        .isEqualTo("file:///data/chk-1/_metadata");
  }

  @Test
  void masksTheValuesOfCredentialParameters() {
    CredentialRedaction redaction = CredentialRedaction.of(List.of());

    assertThat(
            redaction.redact(
                "GET /b/k?X-Amz-Credential=AKIA%2F2025&X-Amz-Signature=ab12cd&partNumber=3"))
        .isEqualTo("GET /b/k?X-Amz-Credential=***&X-Amz-Signature=***&partNumber=3");
    assertThat(redaction.redact("password=hunter2; secretKey: abc"))
        .isEqualTo("password=***; secretKey: ***");
  }

  @Test
  void leavesOrdinaryTextAndShortValuesAlone() {
    CredentialRedaction redaction = CredentialRedaction.of(List.of("abc"));

    assertThat(redaction.redact("checkpoint 3 expired after abc ms"))
        .isEqualTo("checkpoint 3 expired after abc ms");
    assertThat(redaction.redact(null)).isNull();
    assertThat(redaction.redact("")).isEmpty();
  }

  @Test
  void neverShowsTheSecretsItMasks() {
    CredentialRedaction redaction = CredentialRedaction.of(List.of("top-secret-value"));

    assertThat(redaction.toString()).doesNotContain("top-secret-value");
  }
}
