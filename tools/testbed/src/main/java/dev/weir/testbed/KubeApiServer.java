package dev.weir.testbed;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real etcd + kube-apiserver on loopback (no nodes, no controllers), run by fabric8's
 * kube-api-test in offline mode from the binaries the test bed built. Hands out a fabric8 client
 * and a kubeconfig file for {@code kubectl} and {@code helm}.
 */
public final class KubeApiServer implements AutoCloseable {
  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final List<KubernetesClient> clients = new ArrayList<>();

  private KubeApiServer(KubeAPIServer server, Path kubeconfig) {
    this.server = server;
    this.kubeconfig = kubeconfig;
  }

  public static KubeApiServer start() {
    String version = Testbed.kubernetesVersion();
    Testbed.binary("etcd");
    Testbed.binary("kubectl");
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(Testbed.cacheDir().resolve("kubeapitest").toString())
                .withApiServerVersion(version)
                .withOfflineMode(true)
                .withWaitForEtcdHealthCheckOnStartup(true)
                .withStartupTimeout(120_000)
                .build());
    server.start();
    try {
      Path kubeconfig =
          Files.createTempFile(
              "weir-kubeconfig-",
              ".yaml",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(kubeconfig, server.getKubeConfigYaml());
      return new KubeApiServer(server, kubeconfig);
    } catch (IOException e) {
      server.stop();
      throw new UncheckedIOException(e);
    }
  }

  /** A new client of this API server, closed with the server. */
  public synchronized KubernetesClient client() {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
            .build();
    clients.add(client);
    return client;
  }

  /** The kubeconfig file (mode 600) that points {@code kubectl} and {@code helm} here. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** Runs the test bed's kubectl against this server. */
  public ExternalCommand.Result kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Testbed.binary("kubectl").toString());
    command.addAll(List.of(args));
    return new ExternalCommand(command, Map.of("KUBECONFIG", kubeconfig.toString()))
        .run(Duration.ofMinutes(2));
  }

  /** Runs the test bed's helm against this server. */
  public ExternalCommand.Result helm(String... args) {
    return Helm.run(Map.of("KUBECONFIG", kubeconfig.toString()), args);
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    server.stop();
    try {
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
