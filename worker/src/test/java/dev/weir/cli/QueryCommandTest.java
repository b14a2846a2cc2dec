package dev.weir.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class QueryCommandTest {

  @Test
  void theRequestUriEncodesOperatorStateAndKey() {
    assertThat(QueryCommand.requestUri("http://127.0.0.1:8081", "my op", "a+b", "x y&z").toString())
        .isEqualTo("http://127.0.0.1:8081/api/v1/state/my%20op/a%2Bb?key=x+y%26z");
  }

  @Test
  void aBaseUrlWithATrailingSlashOrAPathPrefixIsKept() {
    assertThat(QueryCommand.requestUri("http://host:1/", "op", "s", "1").toString())
        .isEqualTo("http://host:1/api/v1/state/op/s?key=1");
    assertThat(QueryCommand.requestUri("http://host:1/weir", "op", "s", "1").toString())
        .isEqualTo("http://host:1/weir/api/v1/state/op/s?key=1");
  }

  @Test
  void aUrlWithoutSchemeAndHostIsRefused() {
    assertThatThrownBy(() -> QueryCommand.requestUri("localhost:8081", "op", "s", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://HOST:PORT");
  }

  @Test
  void aMissingOptionIsAUsageErrorWithExitCode2() {
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new WeirCommand())
            .setErr(new PrintWriter(err))
            .execute("query", "--operator", "op", "--state", "s");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--key");
  }
}
