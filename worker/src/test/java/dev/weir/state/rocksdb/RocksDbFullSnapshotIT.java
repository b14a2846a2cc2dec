package dev.weir.state.rocksdb;

import static dev.weir.state.KeyedStateBackendContract.ALL;
import static dev.weir.state.KeyedStateBackendContract.MAX_PARALLELISM;
import static dev.weir.state.KeyedStateBackendContract.assertFilled;
import static dev.weir.state.KeyedStateBackendContract.fill;
import static dev.weir.state.KeyedStateBackendContract.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codecs;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.SnapshotType;
import dev.weir.storage.LocalDirectoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbFullSnapshotIT {
  @TempDir Path tempDir;

  @Test
  void aCancelledUploadStopsWithoutLeavingAFileAndTheBackendSnapshotsOnAfterwards()
      throws Exception {
    LocalDirectoryStorage storage = new LocalDirectoryStorage(tempDir.resolve("storage"));
    List<String> keys = keys(500);
    try (var backend =
        new RocksDbKeyedStateBackendFactory()
            .create("op", 0, ALL, MAX_PARALLELISM, Codecs.STRING, tempDir.resolve("db"))) {
      fill(backend, keys);
      KeyedStateBackend.KeyedSnapshot cancelled =
          backend.snapshot(1, SnapshotType.CHECKPOINT, storage, "job/chk-1/op");
      cancelled.cancel();

      assertThatThrownBy(cancelled::upload).isInstanceOf(CancellationException.class);
      assertThat(storage.list("job/")).isEmpty();
      try (Stream<Path> files = Files.walk(tempDir.resolve("storage"))) {
        assertThat(files.filter(Files::isRegularFile)).as("no partial file").isEmpty();
      }

      var handles = backend.snapshot(2, SnapshotType.SAVEPOINT, storage, "job/sp-2/op").upload();
      try (var restored =
          new RocksDbKeyedStateBackendFactory()
              .create("op", 1, ALL, MAX_PARALLELISM, Codecs.STRING, tempDir.resolve("db2"))) {
        restored.restore(handles, storage);
        for (int i = 0; i < keys.size(); i++) {
          assertFilled(restored, keys.get(i), i);
        }
      }
    }
  }
}
