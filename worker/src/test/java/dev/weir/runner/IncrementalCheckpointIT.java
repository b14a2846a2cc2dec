package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.api.Codecs;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import dev.weir.checkpoint.CompletedCheckpointStore;
import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.runtime.JobStatus;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroupRangeAssignment;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbKeyedStateBackendFactory;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageLocation;
import dev.weir.testbed.MinioServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PageViewCount on RocksDB with incremental checkpoints and injected failures, against a local
 * directory and a real MinIO: the output is exactly once, every shared file a retained checkpoint
 * references exists and no other is left under {@code shared/}, and the oldest retained checkpoint
 * restores.
 */
class IncrementalCheckpointIT {
  private static MinioServer minio;

  @BeforeAll
  static void startMinio() {
    minio =
        MinioServer.start(
            "weir", System.getenv("WEIR_S3_ACCESS_KEY"), System.getenv("WEIR_S3_SECRET_KEY"));
  }

  @AfterAll
  static void stopMinio() {
    minio.close();
  }

  @ParameterizedTest(name = "{0} storage")
  @CsvSource({"local", "s3"})
  void exactlyOnceWithSharedFilesCountedAndNothingLeftOver(String where, @TempDir Path dir)
      throws Exception {
    PageViewCountRun run = new PageViewCountRun(80_000, 20);
    run.backend = "rocksdb";
    run.checkpointingExtra = ", incremental: true";
    run.injectFailures = 3;
    String base;
    if (where.equals("s3")) {
      String prefix = "incremental-" + UUID.randomUUID();
      base = "s3://weir/" + prefix + "/checkpoints";
      run.storageYaml =
          "{endpoint: '"
              + minio.endpoint()
              + "', bucket: weir, prefix: "
              + prefix
              + "/checkpoints}";
      run.output = "s3://weir/" + prefix + "/output";
      run.endpoint = minio.endpoint();
    } else {
      base = dir.resolve("checkpoints").toString();
      run.storageYaml = "{path: '" + base + "'}";
      run.output = dir.resolve("output").toString();
    }

    assertThat(run.run(dir)).isEqualTo(JobStatus.FINISHED);
    // three restarts; whether one comes after the first completed checkpoint (and so restores
    // incremental state) depends on timing: the oldest retained checkpoint is restored below
    assertThat(run.runner.jobMaster().attempt()).as("restarts").isEqualTo(3);
    run.assertExactlyOnce();

    try (CheckpointStorage storage = StorageLocation.parse(base, run.endpoint).open()) {
      CompletedCheckpointStore store = new CompletedCheckpointStore(storage, run.runner.jobId());
      List<Long> retained = store.completedIds();
      assertThat(retained).hasSize(2);
      Set<String> referenced = new TreeSet<>();
      for (long id : retained) {
        for (StateFile file : keyedFiles(store.readMetadata(id))) {
          if (file.getShared()) {
            referenced.add(file.getPath());
          }
        }
      }
      assertThat(referenced).isNotEmpty();
      assertThat(new TreeSet<>(storage.list(store.sharedDirectory()))).isEqualTo(referenced);

      CheckpointMetadata oldest = store.readMetadata(retained.get(0));
      CheckpointMetadata newest = store.readMetadata(retained.get(1));
      assertThat(countsAt(oldest, storage, dir.resolve("restore-oldest")))
          .allSatisfy(c -> assertThat(c).isBetween(1L, 4_000L));
      assertThat(countsAt(newest, storage, dir.resolve("restore-newest")))
          .allSatisfy(c -> assertThat(c).isEqualTo(4_000L));
    }
  }

  private static List<StateFile> keyedFiles(CheckpointMetadata metadata) {
    return metadata.getOperatorsList().stream()
        .flatMap(o -> o.getSubtasksList().stream())
        .flatMap(s -> s.getKeyedStateList().stream())
        .flatMap(h -> h.getFilesList().stream())
        .toList();
  }

  /** Restores every subtask of the counting operator into RocksDB; the count of every app. */
  private static List<Long> countsAt(
      CheckpointMetadata metadata, CheckpointStorage storage, Path dir) throws Exception {
    OperatorSnapshot counter =
        metadata.getOperatorsList().stream()
            .filter(o -> o.getUid().equals("count-per-app"))
            .findFirst()
            .orElseThrow();
    int maxParallelism = metadata.getMaxParallelism();
    Long[] counts = new Long[20];
    for (SubtaskSnapshot subtask : counter.getSubtasksList()) {
      KeyGroupRange range =
          KeyGroupRangeAssignment.rangeForSubtask(
              maxParallelism, counter.getParallelism(), subtask.getSubtaskIndex());
      List<KeyedStateHandle> handles = subtask.getKeyedStateList();
      try (KeyedStateBackend backend =
          new RocksDbKeyedStateBackendFactory()
              .create(
                  "count-per-app",
                  subtask.getSubtaskIndex(),
                  range,
                  maxParallelism,
                  Codecs.INT,
                  dir.resolve("s" + subtask.getSubtaskIndex()))) {
        backend.restore(handles, storage);
        ValueState<Long> views =
            backend.getState(new StateDescriptor.Value<>("views", Codecs.LONG));
        for (int app = 0; app < 20; app++) {
          dev.weir.codec.ByteArrayWriter key = new dev.weir.codec.ByteArrayWriter(8);
          Codecs.INT.write(app, key);
          int group =
              KeyGroupRangeAssignment.keyGroupOf(key.array(), 0, key.position(), maxParallelism);
          if (range.contains(group)) {
            backend.setCurrentKey(app, group);
            counts[app] = views.value();
          }
        }
      }
    }
    return List.of(counts);
  }
}
