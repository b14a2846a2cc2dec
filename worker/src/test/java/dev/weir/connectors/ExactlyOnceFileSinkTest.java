package dev.weir.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.RuntimeContext;
import dev.weir.state.DefaultOperatorStateStore;
import dev.weir.storage.LocalDirectoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file sink's two-phase commit with the upload off the task thread, on a real directory. */
class ExactlyOnceFileSinkTest {
  @TempDir Path dir;

  private static final RuntimeContext CONTEXT =
      new RuntimeContext() {
        @Override
        public String jobName() {
          return "test";
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

  private ExactlyOnceFileSink<String> open() throws Exception {
    ExactlyOnceFileSink<String> sink = new ExactlyOnceFileSink<>(dir.toString(), line -> line);
    sink.open(CONTEXT, new DefaultOperatorStateStore(Map.of(), -1));
    return sink;
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

    assertThat(Files.readString(dir.resolve("part-000000000001-0"))).isEqualTo("a\n");
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

    assertThat(Files.readString(dir.resolve("part-000000000001-0"))).isEqualTo("a\n");
    assertThat(dir.resolve("part-000000000002-0")).doesNotExist();
    assertThat(Files.readString(dir.resolve("part-000000000003-0"))).isEqualTo("b\n");
    sink.close();
  }

  @Test
  void aFailedUploadFailsItsCheckpointAndGoesOutWithTheNextOne() throws Exception {
    ExactlyOnceFileSink<String> sink = open();
    sink.write("a");
    sink.snapshotState(1);
    // a non-empty directory where the pending file goes: the upload's rename fails
    Path blocker = dir.resolve(".pending/part-000000000001-0-a0");
    Files.createDirectories(blocker.resolve("x"));
    assertThatThrownBy(() -> sink.snapshotStateAsync(1)).hasMessageContaining("part-000000000001");
    Files.delete(blocker.resolve("x"));
    Files.delete(blocker);

    sink.write("b");
    sink.snapshotState(2);
    sink.snapshotStateAsync(2);
    sink.notifyCheckpointComplete(2);

    assertThat(Files.readString(dir.resolve("part-000000000001-0"))).isEqualTo("a\n");
    assertThat(Files.readString(dir.resolve("part-000000000002-0"))).isEqualTo("b\n");
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
}
