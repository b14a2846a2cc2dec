package dev.weir.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.connectors.ExactlyOnceFileSink;
import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.api.StreamingJobStatus;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.S3Credentials;
import dev.weir.storage.StorageLocation;
import dev.weir.testbed.ExternalCommand;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One StreamingJob in a namespace of its own on the test bed's cluster, driven as its user drives
 * it ({@code kubectl apply}, {@code patch}, {@code scale}, {@code annotate}, {@code delete}) and
 * read back from its status, its pods, its Events and its output in MinIO.
 */
public final class JobOnCluster {
  public final WeirOnCluster weir;
  public final String namespace;
  public final String name;

  public JobOnCluster(WeirOnCluster weir, String namespace, String name) {
    this.weir = weir;
    this.namespace = namespace;
    this.name = name;
  }

  /**
   * A fresh namespace with the storage Secret the example manifests name ({@code s3-credentials}).
   */
  public JobOnCluster createNamespace() {
    weir.client.namespaces().withName(namespace).delete();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> weir.client.namespaces().withName(namespace).get() == null);
    weir.client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    kubectl(
            "create",
            "secret",
            "generic",
            "s3-credentials",
            "--from-literal=accessKey=" + weir.minioAccessKey,
            "--from-literal=secretKey=" + weir.minioSecretKey)
        .orThrow();
    return this;
  }

  /**
   * The shipped example (manifests/page-view-count-k8s.yaml) with another rate (events/s per source
   * subtask), and its checkpoints and output under a storage prefix of the caller's.
   */
  public static String example(
      WeirOnCluster weir, String rate, String bucket, String prefix, String output)
      throws IOException {
    String text = Files.readString(weir.root.resolve("manifests/page-view-count-k8s.yaml"));
    for (String expected :
        List.of(
            "--rate, \"5000\"", "s3://weir/page-view-count/output", "prefix: page-view-count")) {
      assertThat(text).as("the example manifest").contains(expected);
    }
    return text.replace("--rate, \"5000\"", "--rate, \"" + rate + "\"")
        .replace("s3://weir/page-view-count/output", "s3://" + bucket + "/" + output)
        .replace("prefix: page-view-count", "prefix: " + prefix);
  }

  /** Deletes the namespace (and with it the job and its pods) without waiting. */
  public void deleteNamespace() {
    weir.client.namespaces().withName(namespace).delete();
  }

  public ExternalCommand.Result kubectl(String... args) {
    List<String> all = new ArrayList<>(List.of("-n", namespace));
    all.addAll(List.of(args));
    return weir.cluster.kubectl(all.toArray(String[]::new));
  }

  /** {@code kubectl apply -f} of a manifest text. */
  public ExternalCommand.Result apply(String manifest) {
    try {
      Path file = Files.createTempFile("weir-e2e-", ".yaml");
      try {
        Files.writeString(file, manifest);
        return kubectl("apply", "-f", file.toString());
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Resource<StreamingJob> resource() {
    return weir.client.resources(StreamingJob.class).inNamespace(namespace).withName(name);
  }

  public StreamingJobStatus status() {
    StreamingJob job = resource().get();
    return job == null || job.getStatus() == null ? new StreamingJobStatus() : job.getStatus();
  }

  public Condition condition(String type) {
    return status().conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  public boolean ready() {
    Condition c = condition("Ready");
    return c != null && "True".equals(c.getStatus());
  }

  /**
   * Waits until the operator has acted on the current generation of the spec, no transition is in
   * progress and the job is Ready at {@code parallelism}; returns the milliseconds it took.
   */
  public long awaitReady(int parallelism, Duration atMost) {
    long t0 = System.nanoTime();
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              StreamingJob job = resource().get();
              StreamingJobStatus s = job.getStatus();
              long generation = job.getMetadata().getGeneration();
              assertThat(ready()).as("Ready, status %s", describe(s)).isTrue();
              assertThat(s.parallelism).isEqualTo(parallelism);
              assertThat(s.upgrade).isNull();
              // the operator has seen the current spec (a change that needs a restart starts a
              // transition in the same status write), so this is not an older spec still Ready
              assertThat(s.observedGeneration)
                  .as("observed generation, status %s", describe(s))
                  .isEqualTo(generation);
            });
    return (System.nanoTime() - t0) / 1_000_000;
  }

  public void awaitStatus(Duration atMost, Predicate<StreamingJobStatus> condition) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> condition.test(status()));
  }

  public static String describe(StreamingJobStatus s) {
    return "phase="
        + s.phase
        + " jobStatus="
        + s.jobStatus
        + " jobId="
        + s.jobId
        + " parallelism="
        + s.parallelism
        + " upgrade="
        + (s.upgrade == null ? null : s.upgrade.kind() + "/" + s.upgrade.step())
        + " error="
        + s.error
        + " conditions="
        + s.conditions.stream()
            .map(
                c ->
                    c.getType()
                        + "="
                        + c.getStatus()
                        + "("
                        + c.getReason()
                        + ": "
                        + c.getMessage()
                        + ")")
            .toList();
  }

  /** The job's pods of one component that are not being deleted. */
  public List<Pod> pods(String component) {
    return weir
        .client
        .pods()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", name)
        .withLabel("weir.dev/component", component)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** Every pod of the job, terminating ones included. */
  public List<Pod> allPods() {
    return weir.client
        .pods()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", name)
        .list()
        .getItems();
  }

  public List<Event> events() {
    return weir.client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** The storage the job's manifest names (the example's bucket in the cluster's MinIO). */
  public CheckpointStorage storage(String bucket, String prefix) {
    return new StorageLocation.S3Bucket(
            weir.minioEndpoint,
            bucket,
            prefix,
            null,
            new S3Credentials(weir.minioAccessKey, weir.minioSecretKey),
            Duration.ofSeconds(30))
        .open();
  }

  /** The committed output lines ({@code app,count}) grouped by app. */
  public Map<Integer, List<Long>> committedCounts(String bucket, String outputPrefix)
      throws Exception {
    Map<Integer, List<Long>> byApp = new TreeMap<>();
    try (CheckpointStorage output = storage(bucket, outputPrefix)) {
      for (String line : ExactlyOnceFileSink.readCommitted(output)) {
        String[] f = line.split(",");
        byApp
            .computeIfAbsent(Integer.parseInt(f[0]), k -> new ArrayList<>())
            .add(Long.parseLong(f[1]));
      }
    }
    return byApp;
  }

  /**
   * Exactly-once so far: every app's committed counts are 1..m with no gap and no repeat (the job
   * may still be running). Returns the number of committed records.
   */
  public static long assertNoGapNoRepeat(Map<Integer, List<Long>> counts) {
    long total = 0;
    for (Map.Entry<Integer, List<Long>> e : counts.entrySet()) {
      List<Long> sorted = e.getValue().stream().sorted().toList();
      List<Long> expected = new ArrayList<>();
      for (long c = 1; c <= sorted.size(); c++) {
        expected.add(c);
      }
      assertThat(sorted).as("counts of app %d (no gap, no repeat)", e.getKey()).isEqualTo(expected);
      total += sorted.size();
    }
    return total;
  }

  /** Exactly-once at the end: every one of {@code keys} apps has exactly 1..events/keys. */
  public static void assertExactly(Map<Integer, List<Long>> counts, long events, int keys) {
    assertThat(counts).as("apps with output").hasSize(keys);
    assertNoGapNoRepeat(counts);
    counts.forEach(
        (app, c) -> assertThat(c).as("counts of app %d", app).hasSize((int) (events / keys)));
  }
}
