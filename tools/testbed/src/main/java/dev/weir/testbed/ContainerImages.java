package dev.weir.testbed;

import java.time.Duration;
import java.util.List;

/**
 * Images built by the test bed's Docker ({@code tools/testbed/images.sh}): Weir's worker and
 * operator images from the project's own Dockerfiles on a local Debian JRE base, MinIO and Kafka.
 */
public final class ContainerImages {
  private ContainerImages() {}

  /**
   * Builds {@code weir/worker:TAG} and {@code weir/operator:TAG} from {@code worker/Dockerfile} and
   * {@code operator/Dockerfile} (the jars must be built) and returns their names.
   */
  public static List<String> weir(String tag) {
    return run("weir", tag);
  }

  /** Builds (once) the MinIO image and returns its name. */
  public static String minio() {
    return run("minio").get(0);
  }

  /**
   * Builds (once per Kafka version and recipe) {@code weir/kafka:VERSION}, the image {@code
   * manifests/kafka.yaml} names, and returns its name.
   */
  public static String kafka() {
    return run("kafka").get(0);
  }

  private static List<String> run(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "tools/testbed/images.sh";
    System.arraycopy(args, 0, command, 1, args.length);
    String out =
        KubeCluster.script(Testbed.repoRoot(), Duration.ofMinutes(20), command).orThrow().strip();
    return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
