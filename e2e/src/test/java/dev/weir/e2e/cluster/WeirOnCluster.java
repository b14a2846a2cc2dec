package dev.weir.e2e.cluster;

import static org.awaitility.Awaitility.await;

import dev.weir.testbed.ContainerImages;
import dev.weir.testbed.ExternalCommand;
import dev.weir.testbed.KubeCluster;
import dev.weir.testbed.TestCluster;
import dev.weir.testbed.Testbed;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weir installed on the test bed's real cluster the way a user installs it: the images built from
 * the project's Dockerfiles and loaded into the node, {@code helm install} of the chart (defaults,
 * namespace {@value #OPERATOR_NAMESPACE}), {@code kubectl apply -f manifests/minio.yaml}. Set up
 * once per JVM and shared by the scenarios; each scenario works in a namespace of its own.
 *
 * <p>Thread-safe: set up under the class lock, immutable afterwards.
 */
public final class WeirOnCluster {
  private static final Logger LOG = LoggerFactory.getLogger(WeirOnCluster.class);
  public static final String OPERATOR_NAMESPACE = "weir-system";
  public static final String RELEASE = "weir-operator";

  /** The images' tag: the chart's default `image.tag` and the example manifest's. */
  public static final String TAG = "0.1.0";

  /** A second tag of the same worker image, for upgrades by a changed image. */
  public static final String OTHER_TAG = "0.1.0-b";

  /** MinIO's dev credentials, as manifests/minio.yaml creates them. */
  public static final String MINIO_NAMESPACE = "storage";

  private static WeirOnCluster installed;

  public final TestCluster cluster;
  public final Path root;
  public final KubernetesClient client;
  public final String minioEndpoint;
  public final String minioAccessKey;
  public final String minioSecretKey;

  private WeirOnCluster(TestCluster cluster, Path root) {
    this.cluster = cluster;
    this.root = root;
    this.client = cluster.client();
    Secret secret = client.secrets().inNamespace(MINIO_NAMESPACE).withName("minio-root").get();
    this.minioAccessKey = decode(secret.getData().get("MINIO_ROOT_USER"));
    this.minioSecretKey = decode(secret.getData().get("MINIO_ROOT_PASSWORD"));
    String ip =
        client
            .services()
            .inNamespace(MINIO_NAMESPACE)
            .withName("minio")
            .get()
            .getSpec()
            .getClusterIP();
    this.minioEndpoint = "http://" + ip + ":9000";
  }

  /** Installs (once) and returns Weir on the test bed's cluster. */
  public static synchronized WeirOnCluster get() {
    if (installed == null) {
      long t0 = System.nanoTime();
      KubeCluster cluster = KubeCluster.up();
      Path root = Testbed.repoRoot();
      List<String> images = new java.util.ArrayList<>(ContainerImages.weir(TAG));
      images.add(ContainerImages.minio());
      cluster.load(images.toArray(String[]::new));
      tag("weir/worker:" + TAG, "weir/worker:" + OTHER_TAG);
      cluster.load("weir/worker:" + OTHER_TAG);
      LOG.info("images built and loaded in {} ms", (System.nanoTime() - t0) / 1_000_000);

      boolean reinstall =
          cluster.helm("status", RELEASE, "--namespace", OPERATOR_NAMESPACE).exitCode() == 0;
      cluster
          .helm(
              "upgrade",
              "--install",
              RELEASE,
              root.resolve("helm/weir-operator").toString(),
              "--namespace",
              OPERATOR_NAMESPACE,
              "--create-namespace",
              "--wait",
              "--timeout",
              "3m")
          .orThrow();
      if (reinstall) { // same tag, new image: the Deployment must start new pods from it
        cluster
            .kubectl("-n", OPERATOR_NAMESPACE, "rollout", "restart", "deploy/" + RELEASE)
            .orThrow();
        cluster
            .kubectl(
                "-n",
                OPERATOR_NAMESPACE,
                "rollout",
                "status",
                "deploy/" + RELEASE,
                "--timeout=120s")
            .orThrow();
      }
      KubernetesClient client = cluster.client();
      try {
        // the operator reconciles only once it holds the Lease (after a restart: once the old
        // pod's Lease has expired)
        await()
            .atMost(Duration.ofMinutes(1))
            .ignoreExceptions()
            .until(
                () -> {
                  String holder =
                      client
                          .leases()
                          .inNamespace(OPERATOR_NAMESPACE)
                          .withName(RELEASE)
                          .get()
                          .getSpec()
                          .getHolderIdentity();
                  return client
                      .pods()
                      .inNamespace(OPERATOR_NAMESPACE)
                      .withLabel("app.kubernetes.io/name", RELEASE)
                      .list()
                      .getItems()
                      .stream()
                      .anyMatch(
                          p ->
                              p.getMetadata().getName().equals(holder)
                                  && p.getMetadata().getDeletionTimestamp() == null);
                });
      } finally {
        client.close();
      }
      cluster.kubectl("apply", "-f", root.resolve("manifests/minio.yaml").toString()).orThrow();
      cluster
          .kubectl("-n", MINIO_NAMESPACE, "rollout", "status", "deploy/minio", "--timeout=120s")
          .orThrow();
      installed = new WeirOnCluster(cluster, root);
      LOG.info("Weir installed on the cluster in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
    return installed;
  }

  private static void tag(String image, String alias) {
    new ExternalCommand(
            List.of(Testbed.binary("docker").toString(), "tag", image, alias),
            java.util.Map.of(
                "DOCKER_HOST", "unix://" + Testbed.cacheDir().resolve("run/docker.sock")))
        .run(Duration.ofMinutes(1))
        .orThrow();
  }

  /** The operator's pod (there is one replica). */
  public Pod operatorPod() {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(OPERATOR_NAMESPACE)
            .withLabel("app.kubernetes.io/name", "weir-operator")
            .list()
            .getItems()
            .stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .toList();
    if (pods.size() != 1) {
      throw new IllegalStateException("expected one operator pod, found " + pods.size());
    }
    return pods.get(0);
  }

  /** Restarts of the operator container so far. */
  public int operatorRestarts() {
    Pod pod = operatorPod();
    return pod.getStatus().getContainerStatuses().stream()
        .mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount())
        .sum();
  }

  /** Waits until the operator pod is Ready again (after a kill). */
  public void awaitOperatorReady() {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () ->
                operatorPod().getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
