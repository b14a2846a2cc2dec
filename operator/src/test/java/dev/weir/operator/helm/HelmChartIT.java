package dev.weir.operator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.testbed.Helm;
import dev.weir.testbed.KubeApiServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart lints, renders, and installs into a real API server (no kubelet: no pod runs). */
class HelmChartIT {
  private static final Path CHART =
      Path.of(System.getProperty("weir.repo.root", "..")).resolve("helm/weir-operator");
  private static KubeApiServer api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = KubeApiServer.start();
    client = api.client();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void lintsCleanly() {
    assertThat(Helm.run("lint", CHART.toString()).orThrow()).contains("0 chart(s) failed");
  }

  @Test
  void watchedNamespacesGetRolesAndNothingClusterWide() {
    String rendered =
        Helm.run("template", "w", CHART.toString(), "--set", "watchNamespaces={team-a,team-b}")
            .orThrow();
    assertThat(rendered)
        .doesNotContain("kind: ClusterRole")
        .contains("namespace: team-a")
        .contains("namespace: team-b");
    assertThat(rendered).contains("value: \"team-a,team-b\"");
  }

  @Test
  void installsTheCrdAnOperatorThatRunsAsNonRootAndLeastPrivilegeRbac() {
    api.helm(
            "install",
            "weir-operator",
            CHART.toString(),
            "--namespace",
            "weir-system",
            "--create-namespace",
            "--wait=false")
        .orThrow();

    assertThat(
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("streamingjobs.weir.dev")
                .get())
        .isNotNull();
    Deployment operator =
        client.apps().deployments().inNamespace("weir-system").withName("weir-operator").get();
    assertThat(operator).isNotNull();
    var pod = operator.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getServiceAccountName()).isEqualTo("weir-operator");
    Container container = pod.getContainers().get(0);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();

    ClusterRole role = client.rbac().clusterRoles().withName("weir-operator").get();
    assertThat(role.getRules())
        .noneMatch(r -> r.getResources().contains("secrets") || r.getResources().contains("*"));
    assertThat(role.getRules())
        .anyMatch(
            r ->
                r.getResources().contains("streamingjobs/status")
                    && r.getVerbs().contains("patch"));
    assertThat(
            client
                .rbac()
                .roles()
                .inNamespace("weir-system")
                .withName("weir-operator-leader-election")
                .get()
                .getRules())
        .singleElement()
        .satisfies(r -> assertThat(r.getResources()).containsExactly("leases"));

    String sa = "system:serviceaccount:weir-system:weir-operator";
    assertThat(
            api.kubectl(
                    "auth",
                    "can-i",
                    "patch",
                    "streamingjobs.weir.dev/status",
                    "--as",
                    sa,
                    "-n",
                    "any")
                .stdout()
                .trim())
        .isEqualTo("yes");
    assertThat(
            api.kubectl("auth", "can-i", "get", "secrets", "--as", sa, "-n", "any").stdout().trim())
        .isEqualTo("no");
  }
}
