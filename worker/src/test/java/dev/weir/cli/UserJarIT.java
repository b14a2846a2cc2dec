package dev.weir.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.connectors.ExactlyOnceFileSink;
import dev.weir.runner.JobRunner;
import dev.weir.runtime.JobStatus;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageLocation;
import dev.weir.testbed.MinioServer;
import dev.weir.testing.JarBuilder;
import io.minio.PutObjectArgs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job of a user's own, built at test time into a jar against weir-api alone (not on the runtime's
 * class path), run in local mode from {@code spec.job.jarURI}: a file or an S3 object; bringing its
 * own Jackson; its class loader closed when the job ends; and every jar that cannot be used refused
 * at start, naming it, with nothing written.
 */
class UserJarIT {
  private static final int EVENTS = 2_000;
  private static final int KEYS = 10;

  @TempDir Path dir;

  /** MinIO with a bucket {@code weir}, reached with the credentials of this JVM's environment. */
  private static MinioServer minio() {
    return MinioServer.start(
        "weir", System.getenv("WEIR_S3_ACCESS_KEY"), System.getenv("WEIR_S3_SECRET_KEY"));
  }

  /** Counts records per key; every line is {@code key,count,tag} ({@code Tag} is in the jar). */
  private static final String COUNT_JOB =
      """
      package com.example.counts;

      import dev.weir.api.Codecs;
      import dev.weir.api.Pipeline;
      import dev.weir.api.StreamJob;
      import dev.weir.api.connectors.Sinks;
      import dev.weir.api.connectors.Sources;
      import java.util.List;

      public final class CountJob implements StreamJob {
        @Override
        public void define(Pipeline pipeline, List<String> args) {
          String output = args.get(0);
          long events = Long.parseLong(args.get(1));
          int keys = Integer.parseInt(args.get(2));
          pipeline
              .source("numbers", Sources.generator(events, i -> i).splits(4).build(), Codecs.LONG)
              .keyBy(i -> (int) (i % keys), Codecs.INT)
              .count("count")
              .map("format", c -> c.key() + "," + c.count() + "," + Tag.value(), Codecs.STRING)
              .sink("output", Sinks.<String>exactlyOnceFiles(output, line -> line));
        }
      }
      """;

  private static String tag(String expression) {
    return """
        package com.example.counts;

        final class Tag {
          static String value() {
            return %s;
          }
        }
        """
        .formatted(expression);
  }

  private static JarBuilder countJob(String tagExpression) {
    return new JarBuilder()
        .source("com.example.counts.CountJob", COUNT_JOB)
        .source("com.example.counts.Tag", tag(tagExpression));
  }

  private Path manifest(String jarUri, String entryClass, String storageYaml) throws IOException {
    Path manifest = dir.resolve("job.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: counts}
        spec:
          parallelism: 2
          job:
            entryClass: %s
            jarURI: '%s'
            args: ['%s', "%d", "%d"]
          checkpointing: {interval: 200ms}
          storage: %s
        """
            .formatted(entryClass, jarUri, dir.resolve("output"), EVENTS, KEYS, storageYaml));
    return manifest;
  }

  private Path manifest(String jarUri) throws IOException {
    return manifest(
        jarUri, "com.example.counts.CountJob", "{path: '" + dir.resolve("checkpoints") + "'}");
  }

  private static String s3Storage(MinioServer minio, String prefix) {
    return "{endpoint: '" + minio.endpoint() + "', bucket: weir, prefix: " + prefix + "}";
  }

  /**
   * {@code weir-worker local} as a user runs it, with two worker processes, to its end; asserts
   * that it finished, and returns its standard error.
   */
  private String localWithWorkerProcesses(Path manifest) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path")));
    command.addAll(
        List.of(
            WeirCommand.class.getName(),
            "local",
            manifest.toString(),
            "--job-id",
            "it",
            "--work-dir",
            dir.resolve("work").toString()));
    Process local =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("stdout").toFile())
            .redirectError(dir.resolve("stderr").toFile())
            .start();
    try {
      assertThat(local.waitFor(3, TimeUnit.MINUTES)).isTrue();
    } finally {
      local.descendants().forEach(ProcessHandle::destroyForcibly);
      local.destroyForcibly();
    }
    String stderr = Files.readString(dir.resolve("stderr"));
    assertThat(local.exitValue()).as(stderr).isZero();
    assertThat(Files.readString(dir.resolve("stdout"))).startsWith("RESULT status=FINISHED");
    return stderr;
  }

  /** {@code local} in this JVM; the exit code, and what it printed through picocli. */
  private record Run(int exit, String err) {}

  private Run localInProcess(Path manifest) {
    StringWriter err = new StringWriter();
    int exit =
        WeirCommand.commandLine()
            .setErr(new PrintWriter(err, true))
            .execute(
                "local",
                manifest.toString(),
                "--in-process",
                "--quiet",
                "--work-dir",
                dir.resolve("work").toString());
    return new Run(exit, err.toString());
  }

  /**
   * The committed output has every key's counts 1..N once, in order, each line with {@code tag}.
   */
  private void assertEveryKeyCountedExactlyOnce(String tag) throws Exception {
    List<String> tags = new ArrayList<>();
    Map<String, List<Long>> counts = new TreeMap<>();
    try (CheckpointStorage output =
        StorageLocation.parse(dir.resolve("output").toString(), null).open()) {
      for (String line : ExactlyOnceFileSink.readCommitted(output)) {
        String[] fields = line.split(",");
        counts.computeIfAbsent(fields[0], k -> new ArrayList<>()).add(Long.parseLong(fields[1]));
        tags.add(fields[2]);
      }
    }
    List<Long> oneToN = new ArrayList<>();
    for (long n = 1; n <= EVENTS / KEYS; n++) {
      oneToN.add(n);
    }
    assertThat(counts).hasSize(KEYS);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isEqualTo(oneToN));
    assertThat(tags).hasSize(EVENTS).containsOnly(tag);
  }

  @Test
  void aJobFromItsOwnJarRunsInLocalModeWithWorkerProcesses() throws Exception {
    Path jar = countJob("\"plain\"").writeTo(dir.resolve("jobs/count-job.jar"));
    assertThatThrownBy(() -> Class.forName("com.example.counts.CountJob"))
        .as("the job is not on the runtime's class path")
        .isInstanceOf(ClassNotFoundException.class);
    String stderr = localWithWorkerProcesses(manifest("file://" + jar));

    assertThat(stderr).contains("com.example.counts.CountJob from file://" + jar);
    assertEveryKeyCountedExactlyOnce("plain");
  }

  @Test
  void aJobBringsItsOwnVersionOfALibraryTheRuntimeUsesToo() throws Exception {
    Path jacksonCore = Path.of(System.getProperty("weir.it.jackson-core"));
    String runtimesJackson = com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString();
    Path jar =
        countJob("com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString()")
            .bundle(jacksonCore) // a fat jar, not relocated: the same class names as the runtime's
            .writeTo(dir.resolve("jobs/count-job-with-jackson.jar"));
    String jobsJackson =
        jacksonCore.getFileName().toString().replaceAll("jackson-core-|\\.jar", "");
    assertThat(jobsJackson).isNotEqualTo(runtimesJackson);

    Run run = localInProcess(manifest(jar.toString()));

    assertThat(run.exit()).as(run.err()).isZero();
    assertEveryKeyCountedExactlyOnce(jobsJackson);
    // and the runtime's own Jackson still reads manifests, after the job's was loaded
    assertThat(
            new ManifestValidator(System::getenv)
                .validate(Files.readString(dir.resolve("job.yaml")), "again")
                .name())
        .isEqualTo("counts");
    assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString())
        .isEqualTo(runtimesJackson);
  }

  @Test
  void theJobsClassLoaderIsClosedWhenTheJobEnds() throws Exception {
    Path jar = countJob("\"plain\"").writeTo(dir.resolve("jobs/count-job.jar"));
    JobSpec spec =
        new ManifestValidator(System::getenv)
            .validate(Files.readString(manifest(jar.toString())), "job.yaml");
    JobRunner runner = new JobRunner(spec, "it", dir.resolve("work"));
    try {
      assertThat(runner.start().get(2, TimeUnit.MINUTES)).isEqualTo(JobStatus.FINISHED);
      assertThat(openByThisProcess(jar)).as("the loader holds the jar open").isTrue();
    } finally {
      runner.close();
    }

    assertThat(runner.userCode().isClosed()).isTrue();
    assertThat(openByThisProcess(jar)).as("no descriptor of the jar is left").isFalse();
  }

  private static boolean openByThisProcess(Path file) throws IOException {
    try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
      return descriptors.anyMatch(
          fd -> {
            try {
              return Files.readSymbolicLink(fd).equals(file.toAbsolutePath());
            } catch (IOException gone) {
              return false;
            }
          });
    }
  }

  @Test
  void aMissingJarIsRefusedNamingItBeforeAnythingIsWritten() throws Exception {
    Path missing = dir.resolve("jobs/missing.jar");

    assertRefused(manifest(missing.toString()), "spec.job.jarURI: " + missing + ": no such file");
  }

  @Test
  void aCorruptJarIsRefusedNamingItBeforeAnythingIsWritten() throws Exception {
    byte[] whole = Files.readAllBytes(countJob("\"plain\"").writeTo(dir.resolve("whole.jar")));
    Path truncated =
        Files.write(dir.resolve("truncated.jar"), java.util.Arrays.copyOf(whole, whole.length / 2));

    assertRefused(
        manifest("local://" + truncated),
        "spec.job.jarURI: local://" + truncated + " is not a valid jar: ");
  }

  @Test
  void anEntryClassThatIsNotInTheJarIsRefusedNamingTheJar() throws Exception {
    Path jar = countJob("\"plain\"").writeTo(dir.resolve("jobs/count-job.jar"));

    assertRefused(
        manifest(
            jar.toString(),
            "com.example.counts.SumJob",
            "{path: '" + dir.resolve("checkpoints") + "'}"),
        "spec.job.entryClass: class com.example.counts.SumJob is not in " + jar);
  }

  @Test
  void aJarInS3IsFetchedVerifiedAndCachedForTheWorkersAndRuns() throws Exception {
    try (MinioServer minio = minio()) {
      Path jar = countJob("\"from-s3\"").writeTo(dir.resolve("count-job.jar"));
      upload(minio, "jobs/count-job.jar", Files.readAllBytes(jar));
      Path manifest =
          manifest(
              "s3://weir/jobs/count-job.jar",
              "com.example.counts.CountJob",
              s3Storage(minio, "fetched"));

      localWithWorkerProcesses(manifest);

      assertEveryKeyCountedExactlyOnce("from-s3");
      try (Stream<Path> cached = Files.list(dir.resolve("work/jars"))) {
        List<Path> jars = cached.toList();
        assertThat(jars).hasSize(1).allSatisfy(c -> assertThat(c).hasSameBinaryContentAs(jar));
      }
    }
  }

  @Test
  void aCorruptedJarInS3IsRefusedAndNotCached() throws Exception {
    try (MinioServer minio = minio()) {
      Path jar =
          countJob("\"plain\"").incompressibleFirstEntry().writeTo(dir.resolve("count-job.jar"));
      // stored damaged: its ETag matches what is stored, only the jar's own CRCs tell
      upload(minio, "jobs/corrupted.jar", JarBuilder.damagedCopy(jar));

      Path manifest =
          manifest(
              "s3://weir/jobs/corrupted.jar",
              "com.example.counts.CountJob",
              s3Storage(minio, "corrupted"));

      assertRefused(
          manifest, "spec.job.jarURI: s3://weir/jobs/corrupted.jar is not a valid jar: entry ");
      assertThat(objects(minio, "corrupted/")).as("no storage side effect").isEmpty();
      try (Stream<Path> cached = Files.list(dir.resolve("work/jars"))) {
        assertThat(cached.toList()).as("nothing damaged is cached, no download is left").isEmpty();
      }
    }
  }

  @Test
  void aMissingObjectIsRefusedNamingItAndTheEndpoint() throws Exception {
    try (MinioServer minio = minio()) {
      Path manifest =
          manifest(
              "s3://weir/jobs/nothing.jar",
              "com.example.counts.CountJob",
              s3Storage(minio, "missing"));

      assertRefused(
          manifest,
          "spec.job.jarURI: s3://weir/jobs/nothing.jar at "
              + minio.endpoint()
              + ": no such object");
      assertThat(objects(minio, "missing/")).as("no storage side effect").isEmpty();
    }
  }

  /**
   * {@code local} refuses the manifest with {@code problem}, exit code 2, and has written neither
   * the local checkpoint directory nor the output.
   */
  private void assertRefused(Path manifest, String problem) throws Exception {
    Run run = localInProcess(manifest);

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("invalid manifest " + manifest + ":\n  - " + problem)
        .doesNotContain("\tat ");
    assertThat(dir.resolve("checkpoints")).as("no storage side effect").doesNotExist();
    assertThat(dir.resolve("output")).doesNotExist();
  }

  private static void upload(MinioServer minio, String key, byte[] bytes) throws Exception {
    minio
        .client()
        .putObject(
            PutObjectArgs.builder().bucket("weir").object(key).data(bytes, bytes.length).build());
  }

  private static List<String> objects(MinioServer minio, String prefix) throws Exception {
    List<String> names = new ArrayList<>();
    for (var item :
        minio
            .client()
            .listObjects(
                io.minio.ListObjectsArgs.builder()
                    .bucket("weir")
                    .prefix(prefix)
                    .recursive(true)
                    .build())) {
      names.add(item.get().objectName());
    }
    return names;
  }
}
