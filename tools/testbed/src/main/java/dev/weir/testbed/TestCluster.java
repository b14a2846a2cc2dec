package dev.weir.testbed;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * What the end-to-end scenarios need of a Kubernetes cluster. The test bed's own one-node cluster
 * ({@link KubeCluster}) implements it; another cluster (kind or k3s on a workstation, a cloud
 * cluster through a kubeconfig) can too: docs/testbed.md says how.
 */
public interface TestCluster {
  /** A kubeconfig with cluster-admin rights, for kubectl, helm and the client. */
  Path kubeconfig();

  /** A new client; the caller closes it. */
  KubernetesClient client();

  ExternalCommand.Result kubectl(String... args);

  ExternalCommand.Result helm(String... args);

  /** Makes images of the test bed's Docker available to the cluster's nodes. */
  void load(String... images);

  /** SIGKILL of a container's main process (not a pod deletion: the kubelet restarts it). */
  void killContainerProcess(String namespace, String pod, String container);
}
