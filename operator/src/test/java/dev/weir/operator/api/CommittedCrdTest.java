package dev.weir.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommittedCrdTest {
  private static final String FILE = "streamingjobs.weir.dev-v1.yml";

  @ParameterizedTest
  @ValueSource(strings = {"crds", "helm/weir-operator/crds"})
  void committedCrdIsTheOneTheModelClassesGenerate(String directory) throws IOException {
    Path root = Path.of(System.getProperty("weir.repo.root", ".."));
    String generated = Files.readString(Path.of("target/crds", FILE));
    Path committed = root.resolve(directory).resolve(FILE);
    assertThat(Files.exists(committed))
        .as("%s is missing; run tools/refresh-crd.sh and commit it", committed)
        .isTrue();
    assertThat(Files.readString(committed))
        .as(
            "%s is stale: the model classes in dev.weir.operator.api changed. Run"
                + " tools/refresh-crd.sh and commit the result",
            committed)
        .isEqualTo(generated);
  }
}
