package dev.weir.state.rocksdb;

import static dev.weir.state.KeyedStateBackendContract.ALL;
import static dev.weir.state.KeyedStateBackendContract.COUNT;
import static dev.weir.state.KeyedStateBackendContract.MAX_PARALLELISM;
import static dev.weir.state.KeyedStateBackendContract.select;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.api.Codecs;
import dev.weir.api.ValueState;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.InMemoryCheckpointStorage;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.SnapshotType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incremental checkpoints of the RocksDB backend (real RocksDB, in-memory storage). */
class RocksDbIncrementalCheckpointIT {
  private static final String SHARED = "job/shared/";

  @TempDir Path tempDir;
  private final InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
  private final List<KeyedStateBackend> backends = new ArrayList<>();

  private KeyedStateBackend backend(boolean incremental) throws Exception {
    RocksDbKeyedStateBackendFactory factory = new RocksDbKeyedStateBackendFactory(0);
    if (incremental) {
      factory = factory.withIncrementalCheckpoints(SHARED);
    }
    KeyedStateBackend backend =
        factory.create(
            "op", 0, ALL, MAX_PARALLELISM, Codecs.STRING, tempDir.resolve("b" + backends.size()));
    backends.add(backend);
    return backend;
  }

  @AfterEach
  void close() {
    backends.forEach(KeyedStateBackend::close);
  }

  private KeyedStateHandle checkpoint(KeyedStateBackend backend, long id) throws Exception {
    List<KeyedStateHandle> handles =
        backend.snapshot(id, SnapshotType.CHECKPOINT, storage, "job/chk-" + id + "/op/0").upload();
    assertThat(handles).hasSize(1);
    return handles.get(0);
  }

  /** Bytes a checkpoint wrote: its private files and the shared files no earlier one had. */
  private static long uploadedBytes(KeyedStateHandle handle, Set<String> seenBefore) {
    long bytes = 0;
    for (StateFile file : handle.getFilesList()) {
      if (!file.getShared() || seenBefore.add(file.getPath())) {
        bytes += file.getSize();
      }
    }
    return bytes;
  }

  private static long totalBytes(KeyedStateHandle handle) {
    return handle.getFilesList().stream().mapToLong(StateFile::getSize).sum();
  }

  /** Writes {@code n} keys with values big enough to make real table files. */
  private static void write(KeyedStateBackend backend, int from, int n, long value) {
    ValueState<Long> count = backend.getState(COUNT);
    for (int i = from; i < from + n; i++) {
      select(backend, "key-" + i + "-" + "x".repeat(40));
      count.update(value);
    }
  }

  @Test
  void uploadsOnlyTableFilesNewSinceTheLastCompletedCheckpointWhileFullOnesUploadEverything()
      throws Exception {
    KeyedStateBackend incremental = backend(true);
    KeyedStateBackend full = backend(false);
    Set<String> seen = new HashSet<>();
    long incrementalUploaded = 0;
    long fullUploaded = 0;
    KeyedStateHandle last = null;
    int rounds = 12;
    for (int round = 1; round <= rounds; round++) {
      for (KeyedStateBackend backend : List.of(incremental, full)) {
        write(backend, round * 5_000, 5_000, round); // new keys: the state grows every round
        write(backend, 0, 500, round); // and some keys change
      }
      last = checkpoint(incremental, round);
      long uploaded = uploadedBytes(last, seen);
      incrementalUploaded += uploaded;
      System.out.printf(
          "round %d: incremental uploaded %d of %d bytes%n", round, uploaded, totalBytes(last));
      incremental.notifyCheckpointComplete(round);
      KeyedStateHandle fullHandle = checkpoint(full, 1000 + round);
      fullUploaded += totalBytes(fullHandle);
      assertThat(fullHandle.getFilesList()).noneMatch(StateFile::getShared);
      if (round > 1) {
        String ownUploads = "/" + round + "-";
        assertThat(last.getFilesList())
            .as("checkpoint %d reuses files of earlier ones", round)
            .anyMatch(f -> f.getShared() && !f.getPath().contains(ownUploads));
      }
    }
    long finalState = totalBytes(last);
    // every table file is shared; the files of the last checkpoint were uploaded by many rounds
    assertThat(last.getFilesList().stream().filter(f -> f.getPath().endsWith(".sst")))
        .allMatch(StateFile::getShared)
        .allMatch(f -> f.getPath().startsWith(SHARED + "op/0/"));
    assertThat(incrementalUploaded).isLessThan(fullUploaded / 2);
    assertThat(incrementalUploaded / rounds).isLessThan(finalState / 2);
  }

  @Test
  void aCheckpointNeverReusesTheUploadsOfOneNotConfirmedComplete() throws Exception {
    KeyedStateBackend backend = backend(true);
    write(backend, 0, 10_000, 1);
    KeyedStateHandle first = checkpoint(backend, 1);
    write(backend, 10_000, 100, 2);
    KeyedStateHandle second = checkpoint(backend, 2); // 1 was never confirmed

    Set<String> firstPaths = sharedPaths(first);
    assertThat(firstPaths).isNotEmpty();
    assertThat(sharedPaths(second)).doesNotContainAnyElementsOf(firstPaths);

    backend.notifyCheckpointComplete(2);
    write(backend, 20_000, 100, 3);
    KeyedStateHandle third = checkpoint(backend, 3);
    assertThat(sharedPaths(third)).containsAll(sharedPaths(second));
  }

  @Test
  void aRestoredBackendHasTheStateAndReusesTheRestoredCheckpointsFiles() throws Exception {
    KeyedStateBackend original = backend(true);
    write(original, 0, 10_000, 1);
    checkpoint(original, 1);
    original.notifyCheckpointComplete(1);
    write(original, 0, 100, 2);
    KeyedStateHandle second = checkpoint(original, 2);
    original.notifyCheckpointComplete(2);

    KeyedStateBackend restored = backend(true);
    restored.restore(List.of(second), storage);
    ValueState<Long> count = restored.getState(COUNT);
    select(restored, "key-50-" + "x".repeat(40));
    assertThat(count.value()).isEqualTo(2L);
    select(restored, "key-5000-" + "x".repeat(40));
    assertThat(count.value()).isEqualTo(1L);

    write(restored, 10_000, 10, 3);
    KeyedStateHandle third = checkpoint(restored, 3);
    assertThat(sharedPaths(third)).containsAll(sharedPaths(second));
  }

  private static Set<String> sharedPaths(KeyedStateHandle handle) {
    Set<String> paths = new HashSet<>();
    for (StateFile file : handle.getFilesList()) {
      if (file.getShared()) {
        paths.add(file.getPath());
      }
    }
    return paths;
  }
}
