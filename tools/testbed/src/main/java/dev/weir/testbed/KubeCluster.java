package dev.weir.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The test bed's real one-node Kubernetes cluster ({@code tools/cluster.sh}): control plane,
 * containerd, kubelet, kube-proxy and CoreDNS as host processes on this machine, RBAC enforced.
 *
 * <p>{@link #up()} starts it when it is not running (about 10 s; the binaries are built first when
 * missing) and keeps it running for the rest of the JVM: scenarios share one cluster and each works
 * in its own namespace. Images come from the test bed's Docker ({@code tools/testbed/images.sh})
 * through {@link #load}. Host-level actions that only a node can do (SIGKILL of a container's
 * process) go through the container runtime's CLI.
 *
 * <p>Thread-safe: every method runs an external command or reads immutable fields.
 */
public final class KubeCluster implements TestCluster {
  private static KubeCluster running;

  private final Path repoRoot;
  private final Path kubeconfig;

  private KubeCluster(Path repoRoot, Path kubeconfig) {
    this.repoRoot = repoRoot;
    this.kubeconfig = kubeconfig;
  }

  /** Starts the cluster (or finds it running) and returns it. */
  public static synchronized KubeCluster up() {
    if (running == null) {
      Path root = Testbed.repoRoot();
      String out = script(root, Duration.ofMinutes(30), "tools/cluster.sh", "up").orThrow().strip();
      String[] lines = out.split("\n");
      running = new KubeCluster(root, Path.of(lines[lines.length - 1].strip()));
    }
    return running;
  }

  @Override
  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public KubernetesClient client() {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ExternalCommand.Result kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Testbed.binary("kubectl").toString());
    command.addAll(List.of(args));
    return new ExternalCommand(command, Map.of("KUBECONFIG", kubeconfig.toString()))
        .run(Duration.ofMinutes(3));
  }

  @Override
  public ExternalCommand.Result helm(String... args) {
    return Helm.run(Map.of("KUBECONFIG", kubeconfig.toString()), args);
  }

  /** Copies images from the test bed's Docker into the cluster's containerd. */
  @Override
  public void load(String... images) {
    List<String> args = new ArrayList<>(List.of("tools/cluster.sh", "load"));
    args.addAll(List.of(images));
    script(repoRoot, Duration.ofMinutes(10), args.toArray(String[]::new)).orThrow();
  }

  /**
   * Sends SIGKILL, as a node's kernel would, to the main process of a container: found through the
   * container runtime (crictl), killed from the host. The kubelet sees the container die and
   * restarts it under the pod's restart policy.
   */
  @Override
  public void killContainerProcess(String namespace, String pod, String container) {
    String crictl = Testbed.binary("crictl").toString();
    String endpoint =
        "unix://" + Path.of(kubeconfig.getParent().toString(), "containerd", "containerd.sock");
    String id =
        new ExternalCommand(
                List.of(
                    crictl,
                    "--runtime-endpoint",
                    endpoint,
                    "ps",
                    "-q",
                    "--name",
                    "^" + container + "$",
                    "--label",
                    "io.kubernetes.pod.namespace=" + namespace,
                    "--label",
                    "io.kubernetes.pod.name=" + pod,
                    "--state",
                    "running"),
                Map.of())
            .run(Duration.ofSeconds(30))
            .orThrow()
            .strip();
    if (id.isEmpty() || id.contains("\n")) {
      throw new IllegalStateException(
          "expected one running container "
              + container
              + " in "
              + namespace
              + "/"
              + pod
              + ": "
              + id);
    }
    String pid =
        new ExternalCommand(
                List.of(
                    crictl,
                    "--runtime-endpoint",
                    endpoint,
                    "inspect",
                    "--output",
                    "go-template",
                    "--template",
                    "{{.info.pid}}",
                    id),
                Map.of())
            .run(Duration.ofSeconds(30))
            .orThrow()
            .strip();
    ProcessHandle.of(Long.parseLong(pid))
        .orElseThrow(() -> new IllegalStateException("no process " + pid + " for container " + id))
        .destroyForcibly();
  }

  /**
   * Whether the guard that keeps cluster traffic on this machine is in place: the policy rule that
   * makes pod traffic to unredirected Service addresses unreachable, the host's REJECT rule for
   * them, and the unreachable route of the pod range.
   */
  public List<String> missingTrafficGuards() {
    List<String> missing = new ArrayList<>();
    String rules = host("ip", "rule", "show").orThrow();
    if (!rules.contains("from 10.244.0.0/16 to 10.96.0.0/16 unreachable")) {
      missing.add("ip rule: from 10.244.0.0/16 to 10.96.0.0/16 unreachable");
    }
    if (host("iptables", "-C", "OUTPUT", "-d", "10.96.0.0/16", "-j", "REJECT").exitCode() != 0) {
      missing.add("iptables OUTPUT -d 10.96.0.0/16 -j REJECT");
    }
    if (!host("ip", "route", "show", "type", "unreachable").orThrow().contains("10.244.0.0/16")) {
      missing.add("route: unreachable 10.244.0.0/16");
    }
    return missing;
  }

  private static ExternalCommand.Result host(String... command) {
    return new ExternalCommand(List.of(command), Map.of()).run(Duration.ofSeconds(30));
  }

  static ExternalCommand.Result script(Path root, Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(root.resolve(args[0]).toString());
    command.addAll(List.of(args).subList(1, args.length));
    return new ExternalCommand(command, Map.of()).run(timeout);
  }
}
