package dev.weir.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelmIT {

  @Test
  void reportsAVersion3() {
    assertThat(Helm.run("version", "--short").orThrow()).startsWith("v3.");
  }

  @Test
  void rendersATrivialChartWithItsValues(@TempDir Path chart) throws Exception {
    Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: smoke\nversion: 0.1.0\n");
    Files.writeString(chart.resolve("values.yaml"), "greeting: hello\n");
    Files.createDirectories(chart.resolve("templates"));
    Files.writeString(
        chart.resolve("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n"
            + "data:\n  greeting: {{ .Values.greeting | quote }}\n");

    String rendered =
        Helm.run("template", "demo", chart.toString(), "--set", "greeting=bonjour").orThrow();

    assertThat(rendered).contains("name: demo-cm").contains("greeting: \"bonjour\"");
  }
}
