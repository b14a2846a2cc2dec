package dev.weir.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class S3CredentialsTest {

  @Test
  void readsTheWeirVariables() {
    Map<String, String> env = Map.of("WEIR_S3_ACCESS_KEY", "wa", "WEIR_S3_SECRET_KEY", "ws");

    assertThat(S3Credentials.fromEnvironment(env::get)).isEqualTo(new S3Credentials("wa", "ws"));
  }

  @Test
  void fallsBackToTheAwsVariables() {
    Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "aa", "AWS_SECRET_ACCESS_KEY", "as");

    assertThat(S3Credentials.fromEnvironment(env::get)).isEqualTo(new S3Credentials("aa", "as"));
  }

  @Test
  void prefersTheWeirVariablesOverTheAwsOnes() {
    Map<String, String> env =
        Map.of(
            "WEIR_S3_ACCESS_KEY", "wa",
            "WEIR_S3_SECRET_KEY", "ws",
            "AWS_ACCESS_KEY_ID", "aa",
            "AWS_SECRET_ACCESS_KEY", "as");

    assertThat(S3Credentials.fromEnvironment(env::get)).isEqualTo(new S3Credentials("wa", "ws"));
  }

  @Test
  void neverMixesAPairFromBothFamilies() {
    Map<String, String> env =
        Map.of("WEIR_S3_ACCESS_KEY", "wa", "AWS_SECRET_ACCESS_KEY", "aws-secret-value");

    assertThatThrownBy(() -> S3Credentials.fromEnvironment(env::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WEIR_S3_SECRET_KEY")
        .hasMessageNotContaining("aws-secret-value")
        .hasMessageNotContaining("wa");
  }

  @Test
  void treatsBlankValuesAsMissing() {
    Map<String, String> env =
        Map.of(
            "WEIR_S3_ACCESS_KEY", " ",
            "WEIR_S3_SECRET_KEY", "",
            "AWS_ACCESS_KEY_ID", "aa",
            "AWS_SECRET_ACCESS_KEY", "as\n");

    assertThat(S3Credentials.fromEnvironment(env::get)).isEqualTo(new S3Credentials("aa", "as"));
  }

  @Test
  void namesBothFamiliesWhenNothingIsSet() {
    assertThatThrownBy(() -> S3Credentials.fromEnvironment(name -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WEIR_S3_ACCESS_KEY")
        .hasMessageContaining("WEIR_S3_SECRET_KEY")
        .hasMessageContaining("AWS_ACCESS_KEY_ID")
        .hasMessageContaining("AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void namesTheMissingAwsVariable() {
    Map<String, String> env = Map.of("AWS_SECRET_ACCESS_KEY", "the-secret");

    assertThatThrownBy(() -> S3Credentials.fromEnvironment(env::get))
        .hasMessageContaining("AWS_ACCESS_KEY_ID is not")
        .hasMessageNotContaining("the-secret");
  }

  @Test
  void showsNeitherKeyInToString() {
    assertThat(new S3Credentials("my-access-key", "my-secret-key").toString())
        .doesNotContain("my-access-key")
        .doesNotContain("my-secret-key");
  }
}
