package dev.weir.operator.api;

import static org.awaitility.Awaitility.await;

import dev.weir.testbed.ExternalCommand;
import dev.weir.testbed.KubeApiServer;
import java.nio.file.Path;
import java.time.Duration;

/** Installs the committed CRD ({@code crds/} at the repository root) into a test API server. */
public final class CommittedCrd {
  private CommittedCrd() {}

  /** Applies the CRD and returns once it is Established. */
  public static void install(KubeApiServer api) {
    Path root = Path.of(System.getProperty("weir.repo.root", ".."));
    api.kubectl("apply", "-f", root.resolve("crds/streamingjobs.weir.dev-v1.yml").toString())
        .orThrow();
    // kubectl wait fails at once ("status.conditions accessor error") when the API server has not
    // written the CRD's first status yet, so it is retried until it succeeds
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              ExternalCommand.Result r =
                  api.kubectl(
                      "wait",
                      "--for=condition=Established",
                      "crd/streamingjobs.weir.dev",
                      "--timeout=30s");
              return r.exitCode() == 0;
            });
  }
}
