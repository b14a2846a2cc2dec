package dev.weir.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testbed.ExternalCommand;
import dev.weir.testbed.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start, as a user runs it: the worker jar on a manifest. */
class LocalModeE2E {

  private static String shippedManifest() throws Exception {
    Path root = WorkerJar.path().getParent().getParent().getParent();
    return Files.readString(root.resolve("manifests/page-view-count.yaml"));
  }

  @Test
  void runsTheShippedPageViewManifestToTheEndWithExactlyOnceOutput(@TempDir Path dir)
      throws Exception {
    String manifest =
        shippedManifest()
            .replace("\"400000\"", "\"60000\"")
            .replace("\"20000\"", "\"10000\"")
            .replace("weir-local/page-view-count/output", dir.resolve("output").toString())
            .replace(
                "weir-local/page-view-count/checkpoints", dir.resolve("checkpoints").toString());
    Path file = dir.resolve("pv.yaml");
    Files.writeString(file, manifest);

    ExternalCommand.Result result =
        WorkerJar.run(Map.of(), Duration.ofMinutes(2), "local", file.toString());

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains("RESULT status=FINISHED records=60000");
    assertThat(result.stderr()).contains("records/s").contains("last checkpoint");
    Map<String, List<Long>> perApp = new LinkedHashMap<>();
    try (Stream<Path> parts = Files.list(dir.resolve("output"))) {
      for (Path part :
          parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        for (String line : Files.readAllLines(part)) {
          String[] kv = line.split(",");
          perApp.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Long.parseLong(kv[1]));
        }
      }
    }
    assertThat(perApp).hasSize(100);
    List<Long> expected = Stream.iterate(1L, c -> c + 1).limit(600).toList();
    perApp.forEach((app, counts) -> assertThat(counts).as("app " + app).isEqualTo(expected));
  }

  @Test
  void refusesABadManifestWithOneMessageNamingEachField(@TempDir Path dir) throws Exception {
    String manifest =
        shippedManifest()
            .replace("parallelism: 2", "parallelism: 0")
            .replace("stateBackend: rocksdb", "stateBackend: leveldb")
            .replace(
                "weir-local/page-view-count/checkpoints", dir.resolve("checkpoints").toString());
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, manifest);

    ExternalCommand.Result result =
        WorkerJar.run(Map.of(), Duration.ofMinutes(1), "local", file.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .contains("spec.parallelism: must be >= 1 (got 0)")
        .contains("spec.stateBackend: unknown state backend 'leveldb'")
        .doesNotContain("Exception");
    assertThat(dir.resolve("checkpoints")).doesNotExist();
  }

  @Test
  void refusesUnreachableStorageBeforeStartingAnything(@TempDir Path dir) throws Exception {
    String manifest =
        shippedManifest()
            .replace(
                "path: weir-local/page-view-count/checkpoints",
                "{endpoint: 'http://127.0.0.1:" + FreePort.pick() + "', bucket: weir}")
            .replace("storage:\n    {", "storage: {")
            .replace("weir-local/page-view-count/output", dir.resolve("output").toString());
    Path file = dir.resolve("unreachable.yaml");
    Files.writeString(file, manifest);

    ExternalCommand.Result result =
        WorkerJar.run(
            Map.of("WEIR_S3_ACCESS_KEY", "k", "WEIR_S3_SECRET_KEY", "secret-value-1"),
            Duration.ofMinutes(1),
            "local",
            file.toString());

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr())
        .contains("spec.storage")
        .contains("127.0.0.1")
        .doesNotContain("secret-value-1");
    assertThat(dir.resolve("output")).doesNotExist();
  }
}
