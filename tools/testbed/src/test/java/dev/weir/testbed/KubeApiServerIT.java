package dev.weir.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KubeApiServerIT {
  private static final String CRD =
      """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: widgets.smoke.weir.dev
      spec:
        group: smoke.weir.dev
        scope: Namespaced
        names: {plural: widgets, singular: widget, kind: Widget}
        versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size: {type: integer, minimum: 1}
                  status:
                    type: object
                    properties:
                      phase: {type: string}
      """;

  private static KubeApiServer api;
  private static KubernetesClient client;

  @BeforeAll
  static void startApiServer() {
    api = KubeApiServer.start();
    client = api.client();
  }

  @AfterAll
  static void stopApiServer() {
    api.close();
  }

  @Test
  void acceptsACrdACustomResourceAndAServerSideApplyOfItsStatus() {
    CustomResourceDefinition crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .load(new ByteArrayInputStream(CRD.getBytes(StandardCharsets.UTF_8)))
            .create();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(crd)
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            cond ->
                                cond.getType().equals("Established")
                                    && cond.getStatus().equals("True")),
            60,
            TimeUnit.SECONDS);

    var widgets = client.genericKubernetesResources("smoke.weir.dev/v1", "Widget");
    GenericKubernetesResource widget = new GenericKubernetesResource();
    widget.setApiVersion("smoke.weir.dev/v1");
    widget.setKind("Widget");
    widget.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("w1")
            .withNamespace("default")
            .build());
    widget.setAdditionalProperty("spec", Map.of("size", 3));
    widgets.inNamespace("default").resource(widget).create();

    String statusPatch =
        """
        {"apiVersion": "smoke.weir.dev/v1", "kind": "Widget",
         "metadata": {"name": "w1", "namespace": "default"},
         "status": {"phase": "Running"}}
        """;
    widgets
        .inNamespace("default")
        .withName("w1")
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager("weir-smoke")
                .withForce(true)
                .build(),
            statusPatch);

    GenericKubernetesResource stored = widgets.inNamespace("default").withName("w1").get();
    assertThat(stored.<String>get("status", "phase")).isEqualTo("Running");
    assertThat(stored.getMetadata().getManagedFields())
        .extracting(
            ManagedFieldsEntry::getManager,
            ManagedFieldsEntry::getOperation,
            ManagedFieldsEntry::getSubresource)
        .contains(org.assertj.core.groups.Tuple.tuple("weir-smoke", "Apply", "status"));
  }

  @Test
  void refusesAResourceThatBreaksTheCrdSchemaThroughKubectl() throws Exception {
    java.nio.file.Path crdFile = java.nio.file.Files.createTempFile("crd", ".yaml");
    java.nio.file.Files.writeString(
        crdFile,
        CRD.replace("widgets", "gadgets").replace("widget", "gadget").replace("Widget", "Gadget"));
    api.kubectl("apply", "-f", crdFile.toString()).orThrow();
    api.kubectl(
            "wait", "--for=condition=Established", "crd/gadgets.smoke.weir.dev", "--timeout=60s")
        .orThrow();

    java.nio.file.Path bad = java.nio.file.Files.createTempFile("bad", ".yaml");
    java.nio.file.Files.writeString(
        bad,
        """
        apiVersion: smoke.weir.dev/v1
        kind: Gadget
        metadata: {name: g1, namespace: default}
        spec: {size: 0}
        """);
    ExternalCommand.Result result = api.kubectl("apply", "-f", bad.toString());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("spec.size")
        .contains("should be greater than or equal to 1");
  }
}
