package dev.weir.state.rocksdb;

import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.KeyedStateHandles;
import dev.weir.state.format.StateFileTransfer;
import dev.weir.storage.CheckpointStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.Snapshot;

/**
 * A full snapshot of a live RocksDB backend in the {@link CanonicalSnapshotFormat}, for savepoints
 * and for checkpoints that are not incremental. The synchronous part only took a RocksDB snapshot
 * (no flush, no files: microseconds); this, on an upload thread, iterates it into one file, written
 * straight into storage where it takes a stream (a local directory) and through a local file that
 * is uploaded otherwise ({@link StateFileTransfer#write}; size and CRC32C computed on the way), and
 * releases the snapshot before the file is made durable. Reading the live database from another
 * thread is safe in RocksDB; the {@link Live} guard of the backend's {@link RocksDbResources} keeps
 * the database open while this reads it, and a backend that closes stops the iteration at the next
 * key group.
 */
final class RocksDbFullSnapshot implements KeyedStateBackend.KeyedSnapshot {

  /** The guard of the owning backend's database ({@link RocksDbResources#live()}). */
  interface Live {
    /** Holds the database open until {@link #endRead()}; false (and nothing held) if it closed. */
    boolean beginRead();

    void endRead();

    /** Whether the backend started closing: a reader should stop soon. */
    boolean closing();
  }

  private final Live live;
  private final RocksDB db;
  private final Snapshot snapshot;
  private final List<RocksDbCanonicalWriter.Column> columns;
  private final Path localFile;
  private final KeyGroupRange keyGroupRange;
  private final int maxParallelism;
  private final CheckpointStorage storage;
  private final String path;
  private final AtomicBoolean released = new AtomicBoolean();
  private boolean readEnded; // by upload()
  private volatile boolean cancelled;

  RocksDbFullSnapshot(
      Live live,
      RocksDB db,
      Snapshot snapshot,
      List<RocksDbCanonicalWriter.Column> columns,
      Path localFile,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      CheckpointStorage storage,
      String pathPrefix) {
    this.live = live;
    this.db = db;
    this.snapshot = snapshot;
    this.columns = List.copyOf(columns);
    this.localFile = localFile;
    this.keyGroupRange = keyGroupRange;
    this.maxParallelism = maxParallelism;
    this.storage = storage;
    this.path = CheckpointStorage.join(pathPrefix, CanonicalSnapshotFormat.FILE_NAME);
  }

  @Override
  public List<KeyedStateHandle> upload() throws Exception {
    if (released.getAndSet(true)) {
      throw new IllegalStateException("snapshot " + path + " was already uploaded or discarded");
    }
    if (!live.beginRead()) {
      throw new IllegalStateException("the state backend closed before snapshot " + path);
    }
    StateFile file;
    try {
      file =
          StateFileTransfer.write(
              storage,
              path,
              localFile,
              out -> {
                try (ReadOptions readOptions =
                    new ReadOptions().setSnapshot(snapshot).setFillCache(false)) {
                  RocksDbCanonicalWriter.writeCanonical(
                      db, columns, readOptions, keyGroupRange, maxParallelism, out, this::stopping);
                }
                endRead(); // before the file is made durable: the database may close meanwhile
              });
    } finally {
      endRead();
    }
    return KeyedStateHandles.singleFile(keyGroupRange, file, CanonicalSnapshotFormat.BACKEND_ID);
  }

  /** Stops the iteration at the next key group when cancelled or when the backend closes. */
  private boolean stopping() {
    return cancelled || live.closing();
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  /** Releases the RocksDB snapshot and the database, once. Upload thread. */
  private void endRead() {
    if (!readEnded) {
      readEnded = true;
      try {
        db.releaseSnapshot(snapshot);
      } finally {
        live.endRead();
      }
    }
  }

  @Override
  public void discard() {
    if (!released.getAndSet(true) && live.beginRead()) {
      try {
        db.releaseSnapshot(snapshot);
      } finally {
        live.endRead();
      }
    } // a closed database released its snapshots with it
  }
}
