package dev.weir.state;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.storage.CheckpointStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The asynchronous part of a RocksDB snapshot: uploads every file of a native checkpoint directory
 * and deletes the directory. The directory is immutable (hard links to table files that RocksDB
 * never changes), so later writes cannot leak in. Used by one upload thread, or by whoever discards
 * it.
 */
final class RocksDbSnapshot implements KeyedStateBackend.KeyedSnapshot {
  private final Path dir;
  private final KeyGroupRange keyGroupRange;
  private final CheckpointStorage storage;
  private final String pathPrefix;
  private final AtomicBoolean released = new AtomicBoolean();

  RocksDbSnapshot(
      Path dir, KeyGroupRange keyGroupRange, CheckpointStorage storage, String pathPrefix) {
    this.dir = dir;
    this.keyGroupRange = keyGroupRange;
    this.storage = storage;
    this.pathPrefix = pathPrefix;
  }

  @Override
  public List<KeyedStateHandle> upload() throws Exception {
    if (released.getAndSet(true)) {
      throw new IllegalStateException("snapshot " + dir + " was already uploaded or discarded");
    }
    try {
      List<Path> files;
      try (Stream<Path> list = Files.list(dir)) {
        files = list.sorted().collect(Collectors.toList());
      }
      KeyedStateHandle.Builder handle =
          KeyedStateHandle.newBuilder()
              .setKeyGroupStart(keyGroupRange.start())
              .setKeyGroupEnd(keyGroupRange.end())
              .setBackend(StateBackendKind.ROCKSDB.id());
      for (Path file : files) {
        String path = CheckpointStorage.join(pathPrefix, file.getFileName().toString());
        handle.addFiles(StateFileTransfer.upload(storage, path, file));
      }
      return List.of(handle.build());
    } finally {
      WorkDirectory.deleteRecursively(dir);
    }
  }

  @Override
  public void discard() {
    if (!released.getAndSet(true)) {
      WorkDirectory.deleteRecursively(dir);
    }
  }
}
