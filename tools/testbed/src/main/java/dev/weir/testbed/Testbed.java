package dev.weir.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where the test bed's binaries live, and how they get there.
 *
 * <p>Binaries are built by {@code tools/testbed/setup.sh} into a cache outside the repository
 * ({@code ~/.cache/weir/testbed/bin}, or {@code $WEIR_TESTBED_CACHE/bin}). A test that needs one
 * that is missing installs it through the same script instead of skipping.
 */
public final class Testbed {
  private Testbed() {}

  /** The cache directory, shared by every checkout on the machine. */
  public static Path cacheDir() {
    String env = System.getenv("WEIR_TESTBED_CACHE");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "weir", "testbed");
  }

  public static Path bin() {
    return cacheDir().resolve("bin");
  }

  /**
   * Path of an installed binary ({@code minio}, {@code etcd}, {@code kube-apiserver}, {@code
   * kubectl}, {@code helm}, {@code chromium}); runs the setup script for its component first when
   * it is missing.
   */
  public static Path binary(String name) {
    Path path = bin().resolve(name);
    if (!Files.isExecutable(path)) {
      install(componentOf(name));
    }
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("test bed binary " + name + " is still missing at " + path);
    }
    return path;
  }

  /** The Kubernetes version the setup script built (kube-apiserver and kubectl). */
  public static String kubernetesVersion() {
    binary("kube-apiserver");
    try {
      return Files.readString(cacheDir().resolve("stamps").resolve("kube-apiserver")).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the kube-apiserver version stamp", e);
    }
  }

  /**
   * The class path directory of the test bed's Apache Kafka broker ({@code kafka/libs} in the
   * cache: {@code kafka_2.13} and its runtime dependencies); runs the setup script's {@code kafka}
   * component first when it is missing.
   */
  public static Path kafkaLibs() {
    Path libs = cacheDir().resolve("kafka").resolve("libs");
    if (!Files.isDirectory(libs)) {
      install("kafka");
    }
    if (!Files.isDirectory(libs)) {
      throw new IllegalStateException("the test bed's Kafka is still missing at " + libs);
    }
    return libs;
  }

  /**
   * {@code tools/testbed/kafka/kafka-broker.sh}: runs one KRaft node in the foreground (see the
   * script).
   */
  static Path kafkaBrokerScript() {
    return repoRoot()
        .resolve("tools")
        .resolve("testbed")
        .resolve("kafka")
        .resolve("kafka-broker.sh");
  }

  private static String componentOf(String binary) {
    return switch (binary) {
      case "kube-apiserver", "kubectl" -> "kubernetes";
      case "kubelet",
          "kube-controller-manager",
          "kube-scheduler",
          "kube-proxy",
          "coredns",
          "crictl",
          "containerd",
          "dockerd",
          "docker" ->
          "cluster";
      default -> binary;
    };
  }

  private static synchronized void install(String component) {
    Path script = setupScript();
    ExternalCommand.Result result =
        new ExternalCommand(List.of("bash", script.toString(), component), Map.of())
            .run(Duration.ofMinutes(30));
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "installing test bed component '"
              + component
              + "' failed (exit "
              + result.exitCode()
              + "):\n"
              + result.stderr());
    }
  }

  static Path setupScript() {
    return repoRoot().resolve("tools").resolve("testbed").resolve("setup.sh");
  }

  /**
   * The repository's root: the {@code weir.repo.root} property, else the first directory upwards
   * from the working directory that holds {@code tools/testbed/setup.sh}.
   */
  public static Path repoRoot() {
    String root = System.getProperty("weir.repo.root");
    if (root != null && Files.exists(Path.of(root, "tools", "testbed", "setup.sh"))) {
      return Path.of(root).toAbsolutePath();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("tools").resolve("testbed").resolve("setup.sh"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find tools/testbed/setup.sh; run the tests from inside the Weir repository");
  }
}
