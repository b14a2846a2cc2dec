package dev.weir.operator.reconciler;

import dev.weir.operator.StreamingJobOperator;
import dev.weir.operator.api.CommittedCrd;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.coordinator.CoordinatorClients;
import dev.weir.testbed.KubeApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** A real API server with the committed CRD, and operators run in-process against it. */
final class OperatorFixture implements AutoCloseable {
  static final OperatorSettings FAST =
      new OperatorSettings(
          Duration.ofMillis(300),
          Duration.ofMillis(300),
          Duration.ofSeconds(20),
          Duration.ofSeconds(20),
          Set.of());

  final KubeApiServer api;
  final KubernetesClient client;
  final TestingCoordinators coordinators;

  OperatorFixture() {
    api = KubeApiServer.start();
    client = api.client();
    CommittedCrd.install(api);
    coordinators = new TestingCoordinators(client);
  }

  void namespace(String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
  }

  StreamingJobOperator startOperator(String namespace) {
    return startOperator(namespace, new SimpleMeterRegistry(), null, coordinators);
  }

  /** An operator watching {@code namespace}; {@code lease} null: no leader election. */
  StreamingJobOperator startOperator(
      String namespace,
      MeterRegistry registry,
      StreamingJobOperator.Lease lease,
      CoordinatorClients coordinatorClients) {
    return new StreamingJobOperator(
            api.client(),
            coordinatorClients,
            new OperatorSettings(
                FAST.pollInterval(),
                FAST.activePollInterval(),
                FAST.savepointTimeout(),
                FAST.defaultUpgradeTimeout(),
                Set.of(namespace)),
            registry,
            lease,
            Clock.systemUTC())
        .start();
  }

  StreamingJob create(String namespace, String name, String specExtra) {
    String yaml =
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: %s, namespace: %s}
        spec:
          image: weir/worker:1
          job: {entryClass: dev.weir.jobs.PageViewCount, args: [--events, "1000"]}
          parallelism: 2
          storage: {endpoint: 'http://minio:9000', bucket: checkpoints, credentialsSecret: s3-credentials}
        %s"""
            .formatted(name, namespace, specExtra);
    StreamingJob job =
        client
            .resources(StreamingJob.class)
            .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
            .item();
    return client.resource(job).create();
  }

  StreamingJob get(String namespace, String name) {
    return client.resources(StreamingJob.class).inNamespace(namespace).withName(name).get();
  }

  @Override
  public void close() {
    api.close();
  }
}
