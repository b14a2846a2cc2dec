package dev.weir.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.weir.api.RuntimeContext;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.state.DefaultOperatorStateStore;
import dev.weir.state.StateRestoreException;
import dev.weir.storage.LocalDirectoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file sink's two-phase commit with the upload off the task thread, on a real directory. */
class ExactlyOnceFileSinkTest {
  @TempDir Path dir;

  private static RuntimeContext context(String jobId) {
    return new RuntimeContext() {
      @Override
      public String jobName() {
        return "test";
      }

      @Override
      public String jobId() {
        return jobId;
      }

      @Override
      public int subtaskIndex() {
        return 0;
      }

      @Override
      public int parallelism() {
        return 1;
      }

      @Override
      public int maxParallelism() {
        return 128;
      }

      @Override
      public int attempt() {
        return 0;
      }
    };
  }

  private ExactlyOnceFileSink<String> open() throws Exception {
    return open("job-a", new DefaultOperatorStateStore(Map.of(), -1));
  }

  private ExactlyOnceFileSink<String> open(String jobId, DefaultOperatorStateStore state)
      throws Exception {
    ExactlyOnceFileSink<String> sink = new ExactlyOnceFileSink<>(dir.toString(), line -> line);
    sink.open(context(jobId), state);
    return sink;
  }

  /**
   * The operator state {@code state} holds now, as a restore after checkpoint {@code id} sees it.
   */
  private static DefaultOperatorStateStore restored(DefaultOperatorStateStore state, long id) {
    Map<String, List<ByteString>> entries = new HashMap<>();
    for (OperatorStateHandle handle : state.snapshot()) {
      entries.put(handle.getName(), handle.getEntriesList());
    }
    return new DefaultOperatorStateStore(entries, id);
  }

  private List<String> filesIn(Path directory) throws Exception {
    try (var files = Files.walk(directory)) {
      return files
          .filter(Files::isRegularFile)
          .map(f -> dir.relativize(f).toString())
          .sorted()
          .toList();
    }
  }

  private static long pendingFiles(Path dir) throws Exception {
    Path pending = dir.resolve(".pending");
    if (!Files.exists(pending)) {
      return 0;
    }
    try (var files = Files.list(pending)) {
      return files.filter(f -> f.getFileName().toString().startsWith("part-")).count();
    }
  }

  @Test
  void thePreCommitUploadsOnlyInItsAsynchronousPartAndTheCommitPublishes() throws Exception {
    ExactlyOnceFileSink<String> sink = open();
    sink.write("a");
    sink.snapshotState(1);
    assertThat(pendingFiles(dir)).as("nothing uploaded on the task thread").isZero();
    sink.write("b"); // the next checkpoint's records while the upload runs

    sink.snapshotStateAsync(1);
    assertThat(pendingFiles(dir)).isEqualTo(1);
    sink.notifyCheckpointComplete(1);

    assertThat(Files.readString(dir.resolve("part-job-a-000000000001-0"))).isEqualTo("a\n");
    sink.close();
  }

  @Test
  void aCheckpointWithoutNewRecordsSetsNothingAsideAndLaterRecordsGoToTheNextPart()
      throws Exception {
    ExactlyOnceFileSink<String> sink = open();
    sink.write("a");
    sink.snapshotState(1);
    sink.snapshotState(2); // nothing written since checkpoint 1
    sink.write("b");
    sink.snapshotState(3);

    sink.snapshotStateAsync(3);
    sink.notifyCheckpointComplete(3);

    assertThat(Files.readString(dir.resolve("part-job-a-000000000001-0"))).isEqualTo("a\n");
    assertThat(dir.resolve("part-job-a-000000000002-0")).doesNotExist();
    assertThat(Files.readString(dir.resolve("part-job-a-000000000003-0"))).isEqualTo("b\n");
    sink.close();
  }

  @Test
  void aFailedUploadFailsItsCheckpointAndGoesOutWithTheNextOne() throws Exception {
    ExactlyOnceFileSink<String> sink = open();
    sink.write("a");
    sink.snapshotState(1);
    // a non-empty directory where the pending file goes: the upload's rename fails
    Path blocker = dir.resolve(".pending/part-job-a-000000000001-0-a0");
    Files.createDirectories(blocker.resolve("x"));
    assertThatThrownBy(() -> sink.snapshotStateAsync(1))
        .hasMessageContaining("part-job-a-000000000001");
    Files.delete(blocker.resolve("x"));
    Files.delete(blocker);

    sink.write("b");
    sink.snapshotState(2);
    sink.snapshotStateAsync(2);
    sink.notifyCheckpointComplete(2);

    assertThat(Files.readString(dir.resolve("part-job-a-000000000001-0"))).isEqualTo("a\n");
    assertThat(Files.readString(dir.resolve("part-job-a-000000000002-0"))).isEqualTo("b\n");
    assertThat(pendingFiles(dir)).isZero();
    sink.close();
  }

  @Test
  void closingDropsFilesThatWereNeverUploaded() throws Exception {
    ExactlyOnceFileSink<String> sink = open();
    sink.write("a");
    sink.snapshotState(1);
    sink.close();

    try (LocalDirectoryStorage storage = new LocalDirectoryStorage(dir)) {
      assertThat(ExactlyOnceFileSink.readCommitted(storage)).isEmpty();
    }
    assertThat(pendingFiles(dir)).isZero();
  }

  @Test
  void aSecondRunIntoTheSameDirectoryCommitsItsOwnPartsBesideTheFirstRunsOnes() throws Exception {
    ExactlyOnceFileSink<String> first = open("run-1", new DefaultOperatorStateStore(Map.of(), -1));
    first.write("first");
    first.snapshotState(1);
    first.snapshotStateAsync(1);
    first.notifyCheckpointComplete(1);
    first.close();

    ExactlyOnceFileSink<String> second = open("run-2", new DefaultOperatorStateStore(Map.of(), -1));
    second.write("second");
    second.snapshotState(1);
    second.snapshotStateAsync(1);
    second.notifyCheckpointComplete(1);
    second.close();

    assertThat(Files.readString(dir.resolve("part-run-1-000000000001-0"))).isEqualTo("first\n");
    assertThat(Files.readString(dir.resolve("part-run-2-000000000001-0"))).isEqualTo("second\n");
  }

  @Test
  void aRestoreRollsBackOnlyItsOwnNewerPartsAndLeavesEveryOtherFileAlone() throws Exception {
    DefaultOperatorStateStore state = new DefaultOperatorStateStore(Map.of(), -1);
    ExactlyOnceFileSink<String> sink = open("job-a", state);
    sink.write("a");
    sink.snapshotState(2);
    sink.snapshotStateAsync(2);
    sink.notifyCheckpointComplete(2);
    DefaultOperatorStateStore atCheckpoint2 = restored(state, 2);
    sink.write("b");
    sink.snapshotState(5);
    sink.snapshotStateAsync(5);
    sink.notifyCheckpointComplete(5);
    sink.close();
    // other writers' files of the same subtask and newer checkpoints, and a part named before
    // writer identities
    for (String other :
        List.of(
            "part-000000000005-0",
            "part-job-b-000000000005-0",
            "part-job-a-x-000000000005-0",
            ".pending/part-job-b-000000000006-0-a0")) {
      Files.createDirectories(dir.resolve(other).getParent());
      Files.writeString(dir.resolve(other), "other\n");
    }

    open("job-c", atCheckpoint2).close(); // restored under another job id: still writer job-a

    assertThat(filesIn(dir))
        .containsExactlyInAnyOrder(
            "part-000000000005-0",
            "part-job-b-000000000005-0",
            "part-job-a-x-000000000005-0",
            ".pending/part-job-b-000000000006-0-a0",
            "part-job-a-000000000002-0");
  }

  @Test
  void aRestoreKeepsTheWriterIdentityOfTheStateWhateverTheJobId() throws Exception {
    DefaultOperatorStateStore state = new DefaultOperatorStateStore(Map.of(), -1);
    ExactlyOnceFileSink<String> sink = open("job-a", state);
    sink.snapshotState(1);
    sink.close();

    ExactlyOnceFileSink<String> restoredSink = open("job-b", restored(state, 1));
    restoredSink.write("x");
    restoredSink.snapshotState(2);
    restoredSink.snapshotStateAsync(2);
    restoredSink.notifyCheckpointComplete(2);
    restoredSink.close();

    assertThat(Files.readString(dir.resolve("part-job-a-000000000002-0"))).isEqualTo("x\n");
  }

  @Test
  void aRestoreWhosePendingFileIsGoneFailsNamingItBeforeChangingAnything() throws Exception {
    DefaultOperatorStateStore state = new DefaultOperatorStateStore(Map.of(), -1);
    ExactlyOnceFileSink<String> sink = open("job-a", state);
    sink.write("a");
    sink.snapshotState(3);
    sink.snapshotStateAsync(3); // uploaded, never committed: checkpoint 3 completed, then a crash
    DefaultOperatorStateStore atCheckpoint3 = restored(state, 3);
    sink.close();
    Files.delete(dir.resolve(".pending/part-job-a-000000000003-0-a0"));
    Files.writeString(dir.resolve("part-job-a-000000000007-0"), "newer\n");
    List<String> before = filesIn(dir);

    assertThatThrownBy(() -> open("job-a", atCheckpoint3))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(".pending/part-job-a-000000000003-0-a0");

    assertThat(filesIn(dir)).isEqualTo(before);
  }
}
