package dev.weir.state.heap;

import dev.weir.api.Codec;
import dev.weir.api.ListState;
import dev.weir.api.MapState;
import dev.weir.api.ReducingState;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroupRangeAssignment;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.SnapshotType;
import dev.weir.state.StateBackendKind;
import dev.weir.state.StateKind;
import dev.weir.state.WorkDirectory;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.HeapSnapshotFormat;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupFileReader;
import dev.weir.state.format.KeyGroupFileWriter;
import dev.weir.state.format.KeyGroupStateSource;
import dev.weir.state.format.KeyedStateHandles;
import dev.weir.state.format.StateFileTransfer;
import dev.weir.storage.CheckpointStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keyed state as Java objects: per state, per key group, a hash table from the key's bytes (its
 * codec's encoding) to the value ({@link HeapStateTable}, {@link KeyGroupMap}). Everything here
 * belongs to the task thread, except a snapshot's captured data, which an upload thread reads after
 * {@link #snapshot} returned.
 *
 * <p>Snapshots copy on write: {@link #snapshot} only clones each state's array of key group maps
 * and starts a new {@link SnapshotEpoch}; while the snapshot is being written, the first change of
 * a key group map (and of a list or map value, which are changed in place otherwise) copies it, so
 * the upload sees the state exactly as it was. Values themselves are not copied: the API forbids
 * changing an object after handing it to state.
 *
 * <p>A checkpoint is one file in {@link HeapSnapshotFormat}, a savepoint one file in {@link
 * CanonicalSnapshotFormat}. Restore reads either, only the key groups of this backend's range, and
 * keeps a state's entries serialized until the operator registers it (only then are its codecs
 * known).
 */
public final class HeapKeyedStateBackend implements KeyedStateBackend {
  private final String description;
  private final KeyGroupRange keyGroupRange;
  private final int maxParallelism;
  private final Codec<Object> keyCodec;
  private final WorkDirectory workDirectory;
  private final SnapshotEpoch epoch = new SnapshotEpoch();

  /** Registered states, by name. */
  private final Map<String, HeapStateTable> tables = new LinkedHashMap<>();

  /** Restored states the operator has not registered (yet), by name. */
  private final Map<String, SerializedHeapState> unregistered = new LinkedHashMap<>();

  /** Read directly by the state handles (same package) on every access. */
  Object currentKey;

  // the current key encoded by the key codec, and its hash: what the tables look up
  private final ByteArrayWriter keyWriter = new ByteArrayWriter(64);
  byte[] currentKeyBytes;
  int currentKeyLength;
  int currentKeyHash;

  /** Bumped by every {@link #setCurrentKey}: tables remember the slot they found per key. */
  long keySequence;

  private int currentIndex = -1;
  private boolean restored;

  /**
   * @param keyCodec encodes keys in snapshots; equal keys MUST give equal bytes
   * @param workDir local scratch space for snapshot and restore files, used exclusively
   */
  @SuppressWarnings("unchecked")
  public HeapKeyedStateBackend(
      String operatorUid,
      int subtaskIndex,
      KeyGroupRange keyGroupRange,
      int maxParallelism,
      Codec<?> keyCodec,
      Path workDir)
      throws java.io.IOException {
    KeyGroupRangeAssignment.checkParallelism(maxParallelism, 1);
    if (keyGroupRange.isEmpty() || keyGroupRange.end() >= maxParallelism) {
      throw new IllegalArgumentException(
          "key group range " + keyGroupRange + " not within [0, " + maxParallelism + ")");
    }
    this.description = operatorUid + "/" + subtaskIndex;
    this.keyGroupRange = keyGroupRange;
    this.maxParallelism = maxParallelism;
    this.keyCodec = (Codec<Object>) Objects.requireNonNull(keyCodec, "keyCodec");
    this.workDirectory = new WorkDirectory(workDir);
  }

  @Override
  public KeyGroupRange keyGroupRange() {
    return keyGroupRange;
  }

  @Override
  public void setCurrentKey(Object key, int keyGroup) {
    if (!keyGroupRange.contains(keyGroup)) {
      throw new IllegalArgumentException(
          "key group " + keyGroup + " is not in " + keyGroupRange + " of " + description);
    }
    currentKey = Objects.requireNonNull(key, "key");
    currentIndex = keyGroup - keyGroupRange.start();
    keyWriter.reset();
    keyCodec.write(key, keyWriter);
    currentKeyBytes = keyWriter.array();
    currentKeyLength = keyWriter.position();
    currentKeyHash = KeyGroupMap.hash(currentKeyBytes, 0, currentKeyLength);
    keySequence++;
  }

  int currentIndex() {
    int index = currentIndex;
    if (index < 0) {
      throw new IllegalStateException("keyed state used before setCurrentKey");
    }
    return index;
  }

  int epoch() {
    return epoch.current();
  }

  // ---- KeyedStateStore

  @Override
  public <T> ValueState<T> getState(StateDescriptor.Value<T> descriptor) {
    return new HeapValueState<>(table(descriptor, descriptor.codec(), null));
  }

  @Override
  public <T> ListState<T> getListState(StateDescriptor.ListOf<T> descriptor) {
    return new HeapListState<>(this, table(descriptor, descriptor.codec(), null));
  }

  @Override
  public <K, V> MapState<K, V> getMapState(StateDescriptor.MapOf<K, V> descriptor) {
    return new HeapMapState<>(table(descriptor, descriptor.valueCodec(), descriptor.keyCodec()));
  }

  @Override
  public <T> ReducingState<T> getReducingState(StateDescriptor.Reducing<T> descriptor) {
    return new HeapReducingState<>(
        table(descriptor, descriptor.codec(), null), descriptor.reducer());
  }

  private HeapStateTable table(
      StateDescriptor descriptor, Codec<?> valueCodec, Codec<?> userKeyCodec) {
    StateKind kind = StateKind.of(descriptor);
    HeapStateTable table = tables.get(descriptor.name());
    if (table != null) {
      StateKind.requireSame(descriptor.name(), kind, table.kind);
      return table;
    }
    SerializedHeapState restoredState = unregistered.get(descriptor.name());
    if (restoredState != null) {
      StateKind.requireSame(descriptor.name(), kind, restoredState.kind());
    }
    table =
        new HeapStateTable(
            descriptor.name(), kind, this, valueCodec, userKeyCodec, keyGroupRange.size(), epoch);
    if (restoredState != null) {
      table.load(restoredState, keyCodec);
      unregistered.remove(descriptor.name());
    }
    tables.put(descriptor.name(), table);
    return table;
  }

  // ---- snapshot and restore

  @Override
  public KeyedSnapshot snapshot(long checkpointId, CheckpointStorage storage, String pathPrefix) {
    return snapshot(checkpointId, SnapshotType.CHECKPOINT, storage, pathPrefix);
  }

  /**
   * A checkpoint is written in {@link HeapSnapshotFormat}, a savepoint in {@link
   * CanonicalSnapshotFormat}; both capture the same way (copy on write).
   *
   * @throws IllegalStateException for a savepoint while a list or map state restored from a heap
   *     checkpoint is not registered (its values cannot be converted without the codecs)
   */
  @Override
  public KeyedSnapshot snapshot(
      long checkpointId, SnapshotType type, CheckpointStorage storage, String pathPrefix) {
    KeyGroupFileFormat format =
        type == SnapshotType.SAVEPOINT ? KeyGroupFileFormat.CANONICAL : KeyGroupFileFormat.HEAP;
    List<KeyGroupStateSource> sources = new ArrayList<>(tables.size() + unregistered.size());
    for (SerializedHeapState state : unregistered.values()) {
      sources.add(state.source(format)); // immutable once restored; may refuse: check first
    }
    for (HeapStateTable table : tables.values()) {
      sources.add(table.capture(format));
    }
    epoch.beginSnapshot();
    return new HeapSnapshot(
        sources, format, storage, CheckpointStorage.join(pathPrefix, format.fileName()));
  }

  /**
   * The asynchronous part: writes the captured state into storage (straight, or through a local
   * file that is uploaded; see {@link StateFileTransfer#write}).
   */
  private final class HeapSnapshot implements KeyedSnapshot {
    private final List<KeyGroupStateSource> sources;
    private final KeyGroupFileFormat format;
    private final CheckpointStorage storage;
    private final String path;
    private final AtomicBoolean released = new AtomicBoolean();
    private boolean readEnded; // by upload()

    HeapSnapshot(
        List<KeyGroupStateSource> sources,
        KeyGroupFileFormat format,
        CheckpointStorage storage,
        String path) {
      this.sources = sources;
      this.format = format;
      this.storage = storage;
      this.path = path;
    }

    @Override
    public List<KeyedStateHandle> upload() throws Exception {
      if (released.getAndSet(true)) {
        throw new IllegalStateException("snapshot " + path + " was already uploaded or discarded");
      }
      StateFile file;
      try {
        file =
            StateFileTransfer.write(
                storage,
                path,
                workDirectory.freshPath("snapshot"),
                out -> {
                  new KeyGroupFileWriter(format, maxParallelism, keyGroupRange, keyCodec)
                      .write(sources, out);
                  endRead(); // before the file is made durable: writes may stop copying
                });
      } finally {
        endRead();
      }
      return KeyedStateHandles.singleFile(
          keyGroupRange,
          file,
          format == KeyGroupFileFormat.CANONICAL
              ? CanonicalSnapshotFormat.BACKEND_ID
              : StateBackendKind.HEAP.id());
    }

    /** The captured maps are no longer read: ends the snapshot's epoch, once. Upload thread. */
    private void endRead() {
      if (!readEnded) {
        readEnded = true;
        epoch.endSnapshot();
      }
    }

    @Override
    public void discard() {
      if (!released.getAndSet(true)) {
        epoch.endSnapshot();
      }
    }
  }

  @Override
  public void restore(List<KeyedStateHandle> handles, CheckpointStorage storage) throws Exception {
    if (restored) {
      throw new IllegalStateException("restore called twice on " + description);
    }
    restored = true;
    Map<String, SerializedHeapState> read = new LinkedHashMap<>();
    SerializedHeapState.Collector collector =
        new SerializedHeapState.Collector(read, keyGroupRange);
    for (KeyedStateHandle handle : handles) {
      KeyGroupRange range = KeyedStateHandles.rangeOf(handle);
      if (range.intersect(keyGroupRange).isEmpty()) {
        continue;
      }
      KeyGroupFileFormat format =
          KeyedStateHandles.requireReadable(handle, StateBackendKind.HEAP, storage)
              ? KeyGroupFileFormat.CANONICAL
              : KeyGroupFileFormat.HEAP;
      KeyGroupFileReader reader = new KeyGroupFileReader(format, maxParallelism, keyGroupRange);
      for (StateFile file : handle.getFilesList()) {
        try (StateFileTransfer.LocalCopy local =
            StateFileTransfer.local(storage, file, workDirectory.freshPath("restore"))) {
          String location = storage.describe(file.getPath());
          reader.read(local.path(), location, collector.file(format, location));
        }
      }
    }
    for (SerializedHeapState state : read.values()) {
      HeapStateTable table = tables.get(state.name());
      if (table != null) {
        table.load(state, keyCodec);
      } else {
        unregistered.put(state.name(), state);
      }
    }
  }

  /**
   * A rough estimate: the number of entries times 64 bytes. Measuring object graphs is too
   * expensive to do often.
   */
  @Override
  public long estimatedSizeBytes() {
    long entries = 0;
    for (HeapStateTable table : tables.values()) {
      entries += table.entryCount();
    }
    return entries * 64;
  }

  @Override
  public void close() {
    tables.clear();
    unregistered.clear();
    workDirectory.clear();
  }

  @Override
  public String toString() {
    return "HeapKeyedStateBackend[" + description + " " + keyGroupRange + "]";
  }
}
