package dev.weir.state.rocksdb;

import static dev.weir.state.KeyedStateBackendContract.ALL;
import static dev.weir.state.KeyedStateBackendContract.COUNT;
import static dev.weir.state.KeyedStateBackendContract.MAX_PARALLELISM;
import static dev.weir.state.KeyedStateBackendContract.assertFilled;
import static dev.weir.state.KeyedStateBackendContract.fill;
import static dev.weir.state.KeyedStateBackendContract.keyGroupOf;
import static dev.weir.state.KeyedStateBackendContract.keys;
import static dev.weir.state.KeyedStateBackendContract.select;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.api.ValueState;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateBackendFactory;
import dev.weir.state.SnapshotType;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import dev.weir.state.format.CanonicalSnapshotFormat;
import dev.weir.state.format.KeyGroupFileFormat;
import dev.weir.state.format.KeyGroupFileWriter;
import dev.weir.state.format.KeyGroupStateSource;
import dev.weir.state.format.StateFileTransfer;
import dev.weir.state.heap.HeapKeyedStateBackendFactory;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.LocalDirectoryStorage;
import dev.weir.storage.ObjectOutput;
import dev.weir.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores of canonical savepoint files into RocksDB through table files and ingestion ({@link
 * RocksDbCanonicalImport}), with the files written and read in place in a local-directory storage
 * (which fails any upload or download here).
 */
class RocksDbCanonicalImportIT {
  private static final int KEY_GROUP = 5;

  /** Writes a string's UTF-8 bytes without a length: keys whose byte order is not RocksDB's. */
  private static final Codec<String> RAW =
      new Codec<>() {
        @Override
        public void write(String value, BinaryWriter out) {
          byte[] bytes = value.getBytes(UTF_8);
          out.writeBytes(bytes, 0, bytes.length);
        }

        @Override
        public String read(BinaryReader in) {
          throw new UnsupportedOperationException("keys are never read back here");
        }
      };

  @TempDir Path tempDir;
  private final List<KeyedStateBackend> backends = new ArrayList<>();
  private CheckpointStorage storage;
  private int created;

  @AfterEach
  void close() {
    backends.forEach(KeyedStateBackend::close);
    if (storage != null) {
      storage.close();
    }
  }

  private CheckpointStorage localStorage() {
    storage = new WithoutCopies(new LocalDirectoryStorage(tempDir.resolve("storage")));
    return storage;
  }

  /** A local directory that fails every upload and download: files must go in and out in place. */
  private record WithoutCopies(LocalDirectoryStorage local) implements CheckpointStorage {
    @Override
    public void upload(String path, Path localFile) throws StorageException {
      throw new StorageException("no upload expected: " + path, null);
    }

    @Override
    public void download(String path, Path localFile) throws StorageException {
      throw new StorageException("no download expected: " + path, null);
    }

    @Override
    public Optional<ObjectOutput> directOutput(String path) throws StorageException {
      return local.directOutput(path);
    }

    @Override
    public Optional<Path> localFile(String path) throws StorageException {
      return local.localFile(path);
    }

    @Override
    public void write(String path, byte[] bytes) throws StorageException {
      local.write(path, bytes);
    }

    @Override
    public byte[] read(String path) throws StorageException {
      return local.read(path);
    }

    @Override
    public boolean exists(String path) throws StorageException {
      return local.exists(path);
    }

    @Override
    public List<String> list(String prefix) throws StorageException {
      return local.list(prefix);
    }

    @Override
    public void copy(String from, String to) throws StorageException {
      local.copy(from, to);
    }

    @Override
    public void delete(String path) throws StorageException {
      local.delete(path);
    }

    @Override
    public void deleteAll(String prefix) throws StorageException {
      local.deleteAll(prefix);
    }

    @Override
    public String describe() {
      return local.describe();
    }

    @Override
    public void close() {
      local.close();
    }
  }

  private KeyedStateBackend create(
      KeyedStateBackendFactory factory, KeyGroupRange range, Codec<?> keyCodec) throws Exception {
    @SuppressWarnings("unchecked")
    KeyedStateBackend backend =
        factory.create(
            "op",
            created,
            range,
            MAX_PARALLELISM,
            (Codec<Object>) keyCodec,
            tempDir.resolve("b" + created));
    created++;
    backends.add(backend);
    return backend;
  }

  private KeyedStateBackend rocksDb(KeyGroupRange range) throws Exception {
    return create(new RocksDbKeyedStateBackendFactory(), range, Codecs.STRING);
  }

  private List<KeyedStateHandle> savepoint(KeyedStateBackend backend, long id) throws Exception {
    return backend.snapshot(id, SnapshotType.SAVEPOINT, storage, "job/sp-" + id + "/op").upload();
  }

  /**
   * A canonical file of one value state, "count", whose entries of {@link #KEY_GROUP} are given.
   */
  private KeyedStateHandle canonicalFile(String path, Map<String, Long> entries, boolean twice)
      throws Exception {
    KeyGroupStateSource source =
        new KeyGroupStateSource() {
          @Override
          public String name() {
            return COUNT.name();
          }

          @Override
          public StateKind kind() {
            return StateKind.VALUE;
          }

          @Override
          public int writeKeyGroup(
              int index, ByteArrayWriter out, ByteArrayWriter scratch, Codec<Object> keyCodec) {
            if (index != KEY_GROUP) {
              return 0;
            }
            int written = 0;
            for (int copy = 0; copy < (twice ? 2 : 1); copy++) {
              for (Map.Entry<String, Long> entry : entries.entrySet()) {
                byte[] key = entry.getKey().getBytes(UTF_8);
                out.writeVarInt(key.length);
                out.writeBytes(key, 0, key.length);
                ByteArrayWriter value = new ByteArrayWriter(8);
                Codecs.LONG.write(entry.getValue(), value);
                out.writeVarInt(value.position());
                out.writeBytes(value.array(), 0, value.position());
                written++;
              }
            }
            return written;
          }
        };
    StateFile file =
        StateFileTransfer.write(
            storage,
            path,
            tempDir.resolve("local-" + path.replace('/', '-')),
            out ->
                new KeyGroupFileWriter(KeyGroupFileFormat.CANONICAL, MAX_PARALLELISM, ALL, null)
                    .write(List.of(source), out));
    return KeyedStateHandle.newBuilder()
        .setKeyGroupStart(ALL.start())
        .setKeyGroupEnd(ALL.end())
        .addFiles(file)
        .setBackend(CanonicalSnapshotFormat.BACKEND_ID)
        .build();
  }

  @Test
  void keysWhoseByteOrderIsNotRocksDbsOrderAreSortedBeforeTheyGoIntoATableFile() throws Exception {
    localStorage();
    // canonical order is "aa" < "b" < "ccc"; RocksDB's (length first) is "b" < "aa" < "ccc"
    KeyedStateHandle handle =
        canonicalFile("job/sp-1/raw", Map.of("aa", 1L, "b", 2L, "ccc", 3L), false);
    KeyedStateBackend restored = create(new RocksDbKeyedStateBackendFactory(), ALL, RAW);

    restored.restore(List.of(handle), storage);

    ValueState<Long> count = restored.getState(COUNT);
    for (Map.Entry<String, Long> entry : Map.of("aa", 1L, "b", 2L, "ccc", 3L).entrySet()) {
      restored.setCurrentKey(entry.getKey(), KEY_GROUP);
      assertThat(count.value()).as(entry.getKey()).isEqualTo(entry.getValue());
    }
  }

  @Test
  void aKeyTwiceInOneKeyGroupFailsTheRestoreNamingTheFile() throws Exception {
    localStorage();
    KeyedStateHandle handle = canonicalFile("job/sp-1/dup", Map.of("a", 1L), true);
    KeyedStateBackend restored = create(new RocksDbKeyedStateBackendFactory(), ALL, RAW);

    assertThatThrownBy(() -> restored.restore(List.of(handle), storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining(storage.describe("job/sp-1/dup"));
  }

  @Test
  void anSstImportRestoresEveryKeyGroupOfTheRangeExactlyOnceAtAnyParallelism() throws Exception {
    localStorage();
    List<String> keys = keys(3000);
    KeyedStateBackend original =
        create(new HeapKeyedStateBackendFactory(), ALL, Codecs.STRING); // heap → RocksDB too
    fill(original, keys);
    List<KeyedStateHandle> whole = savepoint(original, 1);
    byte[] wholeFile = storage.read(whole.get(0).getFiles(0).getPath());

    // three ranges that cut the file's key groups unevenly, as a rescale 1 -> 3 does
    List<KeyedStateHandle> parts = new ArrayList<>();
    long id = 2;
    for (KeyGroupRange range :
        List.of(KeyGroupRange.of(0, 42), KeyGroupRange.of(43, 85), KeyGroupRange.of(86, 127))) {
      KeyedStateBackend part = rocksDb(range);
      part.restore(whole, storage);
      for (int i = 0; i < keys.size(); i++) {
        if (range.contains(keyGroupOf(keys.get(i)))) {
          assertFilled(part, keys.get(i), i);
        }
      }
      parts.addAll(savepoint(part, id++));
    }
    // merged back into one, the state is the original's: every key group came over exactly once
    KeyedStateBackend merged = rocksDb(ALL);
    merged.restore(parts, storage);
    List<KeyedStateHandle> again = savepoint(merged, id);
    assertThat(storage.read(again.get(0).getFiles(0).getPath())).isEqualTo(wholeFile);
  }

  @Test
  void aSnapshotFileWrittenStraightIntoALocalDirectoryRecordsItsSizeAndChecksum() throws Exception {
    localStorage();
    KeyedStateBackend original = rocksDb(ALL);
    fill(original, keys(500));
    StateFile file = savepoint(original, 1).get(0).getFiles(0);

    byte[] bytes = Files.readAllBytes(tempDir.resolve("storage").resolve(file.getPath()));
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    assertThat(file.getSize()).isEqualTo(bytes.length);
    assertThat(file.getCrc32C()).isEqualTo((int) crc.getValue());
    try (Stream<Path> work = Files.walk(tempDir)) {
      assertThat(work.map(p -> p.getFileName().toString()))
          .as("no local copy or temporary file left")
          .noneMatch(name -> name.startsWith("full-") || name.startsWith(".tmp-"));
    }
  }

  @Test
  void aKeyGroupInTwoFilesIsTakenFromTheLaterFileAsAWriteWould() throws Exception {
    localStorage();
    KeyedStateBackend original = rocksDb(ALL);
    select(original, "k");
    original.getState(COUNT).update(1L);
    List<KeyedStateHandle> first = savepoint(original, 1);
    original.getState(COUNT).update(2L);
    List<KeyedStateHandle> second = savepoint(original, 2);

    KeyedStateBackend secondWins = rocksDb(ALL);
    secondWins.restore(List.of(first.get(0), second.get(0)), storage);
    select(secondWins, "k");
    assertThat(secondWins.getState(COUNT).value()).isEqualTo(2L);

    KeyedStateBackend firstWins = rocksDb(ALL);
    firstWins.restore(List.of(second.get(0), first.get(0)), storage);
    select(firstWins, "k");
    assertThat(firstWins.getState(COUNT).value()).isEqualTo(1L);
  }

  @Test
  void aCorruptFileReadInPlaceFailsTheRestoreOfEitherBackendNamingTheFile() throws Exception {
    localStorage();
    KeyedStateBackend original = rocksDb(ALL);
    fill(original, keys(200));
    List<KeyedStateHandle> handles = savepoint(original, 1);
    String path = handles.get(0).getFiles(0).getPath();
    Path file = tempDir.resolve("storage").resolve(path);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(file, bytes);

    for (KeyedStateBackend restored :
        List.of(rocksDb(ALL), create(new HeapKeyedStateBackendFactory(), ALL, Codecs.STRING))) {
      assertThatThrownBy(() -> restored.restore(handles, storage))
          .isInstanceOf(StateRestoreException.class)
          .hasMessageContaining(storage.describe(path))
          .hasMessageContaining("corrupt");
    }
    assertThat(Files.readAllBytes(file))
        .as("the savepoint file is left as it was")
        .isEqualTo(bytes);
  }
}
