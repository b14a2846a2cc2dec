package dev.weir.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.SnapshotType;
import dev.weir.storage.StorageException;
import dev.weir.testing.InMemoryStorage;
import dev.weir.testing.ManualMainThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reference counting of incremental checkpoints' shared files, through the real coordinator with a
 * manual clock and in-memory storage. A simulated incremental backend reuses the shared files of
 * the last checkpoint it was told is complete, as the RocksDB backend does.
 */
class SharedStateRegistryTest {
  private static final TaskId SOURCE = new TaskId(0, 0);
  private static final TaskId COUNTER = new TaskId(1, 0);

  private final ManualMainThread main = new ManualMainThread();
  private final InMemoryStorage storage = new InMemoryStorage();
  private final CompletedCheckpointStore store = new CompletedCheckpointStore(storage, "job");
  private final List<Long> notified = new ArrayList<>();
  private final List<Long> triggered = new ArrayList<>();
  private final List<Long> failovers = new ArrayList<>();
  private final RecordingObserver observer = new RecordingObserver();
  private final FakeBackend backend = new FakeBackend();

  private CheckpointCoordinator coordinator(int maxConcurrent, int retained) {
    CheckpointCoordinator coordinator =
        new CheckpointCoordinator(
            new CheckpointConfig(
                Duration.ofSeconds(1),
                CheckpointingMode.EXACTLY_ONCE,
                Duration.ofMinutes(1),
                Duration.ZERO,
                maxConcurrent,
                10,
                retained,
                true,
                false,
                Duration.ZERO),
            128,
            main,
            Runnable::run,
            store,
            new CheckpointCoordinator.Listener() {
              @Override
              public void checkpointCompleted(CompletedCheckpoint checkpoint) {}

              @Override
              public void tolerableFailuresExceeded(long id, CheckpointFailureReason reason) {
                failovers.add(id);
              }
            },
            observer);
    coordinator.start(
        new TaskGateway() {
          @Override
          public void triggerCheckpoint(
              TaskId source, long id, long ts, boolean isFinal, SnapshotType type) {
            triggered.add(id);
          }

          @Override
          public void notifyCheckpointComplete(long checkpointId) {
            notified.add(checkpointId);
          }

          @Override
          public void notifyCheckpointAborted(long checkpointId) {}
        },
        Set.of(SOURCE),
        Set.of(SOURCE, COUNTER));
    return coordinator;
  }

  /**
   * A RocksDB-like backend: live table files, each uploaded once to a unique shared path and reused
   * by later checkpoints once a checkpoint listing it was confirmed complete.
   */
  private final class FakeBackend {
    private int nextFile;
    private final Set<String> live = new TreeSet<>();
    private Map<String, String> basis = Map.of(); // table file -> shared path
    private final Map<Long, Map<String, String>> pending = new LinkedHashMap<>();

    void write() {
      live.add("sst-" + nextFile++);
    }

    /** Replaces every live table file by one new file. */
    void compact() {
      live.clear();
      write();
    }

    /** Snapshot + upload: the ack of the counter task. */
    TaskSnapshot snapshot(long id) throws StorageException {
      Map<String, String> files = new LinkedHashMap<>();
      KeyedStateHandle.Builder handle =
          KeyedStateHandle.newBuilder().setKeyGroupEnd(127).setBackend("rocksdb");
      for (String table : live) {
        String path = basis.get(table);
        if (path == null) {
          path = store.sharedDirectory() + "op/0/" + id + "-" + table + "/" + table;
          storage.write(path, new byte[100]);
        }
        files.put(table, path);
        handle.addFiles(StateFile.newBuilder().setPath(path).setSize(100).setShared(true));
      }
      String manifest = store.checkpointDirectory(id) + "/op/0/MANIFEST";
      storage.write(manifest, new byte[10]);
      handle.addFiles(StateFile.newBuilder().setPath(manifest).setSize(10));
      pending.put(id, files);
      return new TaskSnapshot(
          COUNTER,
          id,
          Map.of("op", SubtaskSnapshot.newBuilder().addKeyedState(handle).build()),
          0,
          0,
          0,
          0);
    }

    void notifyComplete(long id) {
      if (pending.containsKey(id)) {
        basis = pending.get(id);
      }
      pending.keySet().removeIf(p -> p <= id);
    }

    /** Restored from a checkpoint: its shared files are the basis. */
    void restoreFrom(CheckpointMetadata metadata) {
      Map<String, String> files = new LinkedHashMap<>();
      for (String path : SharedStateRegistry.sharedFiles(metadata).keySet()) {
        files.put(path.substring(path.lastIndexOf('/') + 1), path);
      }
      basis = files;
      live.clear();
      live.addAll(files.keySet());
    }
  }

  private static TaskSnapshot sourceAck(long id) {
    return new TaskSnapshot(SOURCE, id, Map.of(), 0, 0, 0, 0);
  }

  /** Triggers the next checkpoint and acknowledges it completely; the backend hears of it. */
  private void completeNext(CheckpointCoordinator coordinator) throws StorageException {
    main.advance(Duration.ofSeconds(1));
    long id = lastTriggered();
    coordinator.acknowledge(sourceAck(id));
    coordinator.acknowledge(backend.snapshot(id));
    main.runPending();
    deliverNotifications();
  }

  private long lastTriggered() {
    return triggered.get(triggered.size() - 1);
  }

  private CheckpointCoordinator coordinator;

  private void deliverNotifications() {
    for (long id : notified) {
      backend.notifyComplete(id);
    }
    notified.clear();
  }

  private Set<String> sharedFilesInStorage() throws StorageException {
    return new TreeSet<>(storage.list(store.sharedDirectory()));
  }

  /** Every shared file a retained checkpoint's metadata lists (read back from storage). */
  private Set<String> referencedByRetained() throws Exception {
    Set<String> referenced = new TreeSet<>();
    for (long id : store.completedIds()) {
      referenced.addAll(SharedStateRegistry.sharedFiles(store.readMetadata(id)).keySet());
    }
    return referenced;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void retainedCheckpointsKeepEveryFileTheyReferenceAndNothingElseSurvivesTheEnd(int retained)
      throws Exception {
    coordinator = coordinator(1, retained);
    for (int n = 1; n <= 20; n++) {
      backend.write();
      if (n % 4 == 0) {
        backend.compact();
      }
      completeNext(coordinator);
      assertThat(store.completedIds()).hasSize(Math.min(n, retained));
      assertThat(sharedFilesInStorage()).containsAll(referencedByRetained());
      // what is left over are the files released at this completion, deleted at the next
      Set<String> extra = new TreeSet<>(sharedFilesInStorage());
      extra.removeAll(referencedByRetained());
      assertThat(extra).isEqualTo(coordinator.sharedState().candidatePaths());
    }
    coordinator.stop();

    assertThat(sharedFilesInStorage()).isEqualTo(referencedByRetained());
    for (String path : referencedByRetained()) {
      int expected = 0;
      for (long id : store.completedIds()) {
        if (SharedStateRegistry.sharedFiles(store.readMetadata(id)).containsKey(path)) {
          expected++;
        }
      }
      assertThat(coordinator.sharedState().referenceCount(path)).isEqualTo(expected);
    }
  }

  @Test
  void withTwoConcurrentCheckpointsFilesOfADroppedCheckpointStayForThePendingOneThatReusesThem()
      throws Exception {
    coordinator = coordinator(2, 1);
    backend.write();
    completeNext(coordinator); // 1: sst-0

    // 2 and 3 are snapshotted on the basis of 1: both upload sst-1, to different paths
    backend.write();
    main.advance(Duration.ofSeconds(1));
    TaskSnapshot two = backend.snapshot(2);
    main.advance(Duration.ofSeconds(1));
    TaskSnapshot three = backend.snapshot(3);
    coordinator.acknowledge(sourceAck(2));
    coordinator.acknowledge(two);
    main.runPending();
    deliverNotifications(); // 2 complete: the basis is 2's files now

    // 4 reuses 2's upload of sst-1; 3 completes first and drops 2 (retained 1), whose sst-1 only
    // the pending 4 still references
    main.advance(Duration.ofSeconds(1));
    assertThat(lastTriggered()).isEqualTo(4);
    TaskSnapshot four = backend.snapshot(4);
    String twosUpload = store.sharedDirectory() + "op/0/2-sst-1/sst-1";
    assertThat(SharedStateRegistry.sharedFiles(metadataOf(four))).containsKey(twosUpload);
    coordinator.acknowledge(sourceAck(3));
    coordinator.acknowledge(three);
    main.runPending();
    assertThat(store.completedIds()).containsExactly(3L);
    assertThat(storage.exists(twosUpload)).isTrue();

    coordinator.acknowledge(sourceAck(4));
    coordinator.acknowledge(four);
    main.runPending();
    assertThat(store.completedIds()).containsExactly(4L);
    assertThat(sharedFilesInStorage()).containsAll(referencedByRetained());
    assertThat(observer.countedFailures()).isEmpty();

    coordinator.stop();
    assertThat(sharedFilesInStorage()).isEqualTo(referencedByRetained());
  }

  private static CheckpointMetadata metadataOf(TaskSnapshot snapshot) {
    return CheckpointMetadata.newBuilder()
        .addOperators(
            dev.weir.proto.OperatorSnapshot.newBuilder()
                .addAllSubtasks(snapshot.operators().values()))
        .build();
  }

  @Test
  void filesUploadedByAnAbortedCheckpointAreDeletedAndReusedOnesKept() throws Exception {
    coordinator = coordinator(1, 1);
    backend.write();
    completeNext(coordinator); // 1
    Set<String> afterOne = sharedFilesInStorage();

    backend.write();
    main.advance(Duration.ofSeconds(1));
    TaskSnapshot two = backend.snapshot(2); // reuses sst-0, uploads sst-1
    coordinator.acknowledge(two);
    coordinator.decline(SOURCE, 2, "source failed");
    main.runPending();

    assertThat(store.completedIds()).containsExactly(1L);
    assertThat(sharedFilesInStorage()).isEqualTo(afterOne);

    // a late acknowledgement of an aborted checkpoint is cleaned up too
    backend.write();
    main.advance(Duration.ofSeconds(1));
    coordinator.decline(SOURCE, 3, "source failed");
    main.runPending();
    coordinator.acknowledge(backend.snapshot(3));
    main.runPending();
    assertThat(sharedFilesInStorage()).isEqualTo(afterOne);
  }

  @Test
  void aCheckpointReferencingAFileDeletedAlreadyIsRefusedNotCompleted() throws Exception {
    coordinator = coordinator(1, 1);
    backend.write();
    completeNext(coordinator); // 1: sst-0
    backend.compact();
    completeNext(coordinator); // 2: sst-1; sst-0 released
    backend.write();
    completeNext(coordinator); // 3: sst-1, sst-2; sst-0 deleted now
    assertThat(storage.list(store.sharedDirectory())).noneMatch(p -> p.endsWith("/sst-0"));

    // a task that never heard of 2 and 3 would reuse checkpoint 1's sst-0
    backend.basis = Map.of("sst-0", store.sharedDirectory() + "op/0/1-sst-0/sst-0");
    backend.live.add("sst-0");
    main.advance(Duration.ofSeconds(1));
    coordinator.acknowledge(sourceAck(4));
    coordinator.acknowledge(backend.snapshot(4));
    main.runPending();

    assertThat(store.completedIds()).containsExactly(3L);
    assertThat(observer.countedFailures())
        .last()
        .satisfies(
            failure -> {
              assertThat(failure.reason()).isEqualTo(CheckpointFailureReason.FINALIZE_FAILED);
              assertThat(failure.message()).contains("sst-0").contains("deleted");
            });
  }

  @Test
  void aRestartedCoordinatorRebuildsTheCountsAndDeletesOrphansBeforeTriggering() throws Exception {
    coordinator = coordinator(1, 2);
    for (int n = 1; n <= 5; n++) {
      backend.write();
      if (n == 3) {
        backend.compact();
      }
      completeNext(coordinator);
    }
    // an upload of a checkpoint that never completed, and the coordinator dies
    main.advance(Duration.ofSeconds(1));
    backend.write();
    backend.snapshot(6);
    Set<String> retainedFiles = referencedByRetained();
    assertThat(sharedFilesInStorage()).hasSizeGreaterThan(retainedFiles.size());

    CheckpointCoordinator restarted = coordinator(1, 2);
    List<CompletedCheckpoint> recovered = new ArrayList<>();
    for (long id : store.completedIds()) {
      recovered.add(new CompletedCheckpoint(store.readMetadata(id), "", 0, 0, 0));
    }
    restarted.recoverCompleted(recovered);
    assertThat(sharedFilesInStorage()).isEqualTo(retainedFiles);
    for (String path : retainedFiles) {
      assertThat(restarted.sharedState().referenceCount(path)).isPositive();
    }

    // the tasks restore from the newest; checkpoints go on, and old files go when dropped
    backend.restoreFrom(store.readMetadata(store.completedIds().get(1)));
    coordinator = restarted;
    restarted.advanceCheckpointIdPast(6);
    Set<String> ever = new HashSet<>(retainedFiles);
    for (int n = 0; n < 4; n++) {
      backend.compact();
      completeNext(restarted);
    }
    restarted.stop();
    assertThat(sharedFilesInStorage()).isEqualTo(referencedByRetained());
    assertThat(sharedFilesInStorage()).doesNotContainAnyElementsOf(ever);
  }

  @Test
  void registeringCountsOnlyFilesNoRetainedCheckpointHadAsUploaded() {
    SharedStateRegistry registry = new SharedStateRegistry(store, Runnable::run);
    assertThat(registry.register(metadata(1, "a", "b"))).isEqualTo(200);
    assertThat(registry.register(metadata(2, "a", "b", "c"))).isEqualTo(100);
    registry.unregister(1, 3);
    assertThat(registry.referenceCount("job/shared/a")).isEqualTo(1);
    registry.unregister(2, 3);
    assertThat(registry.candidatePaths())
        .containsExactlyInAnyOrder("job/shared/a", "job/shared/b", "job/shared/c");
    assertThat(registry.register(metadata(3, "c"))).isZero(); // revived, not uploaded again
    assertThat(registry.candidatePaths()).containsExactlyInAnyOrder("job/shared/a", "job/shared/b");
  }

  private static CheckpointMetadata metadata(long id, String... files) {
    KeyedStateHandle.Builder handle = KeyedStateHandle.newBuilder();
    for (String file : files) {
      handle.addFiles(
          StateFile.newBuilder().setPath("job/shared/" + file).setSize(100).setShared(true));
    }
    return CheckpointMetadata.newBuilder()
        .setCheckpointId(id)
        .addOperators(
            dev.weir.proto.OperatorSnapshot.newBuilder()
                .setUid("op")
                .addSubtasks(SubtaskSnapshot.newBuilder().addKeyedState(handle)))
        .build();
  }
}
