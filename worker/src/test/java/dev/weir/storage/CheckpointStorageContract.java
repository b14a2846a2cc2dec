package dev.weir.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link CheckpointStorage} promises, run against each implementation by a
 * subclass that says how to create a fresh, empty storage.
 */
abstract class CheckpointStorageContract {
  @TempDir Path localDir;

  protected CheckpointStorage storage;

  /** A new storage with nothing in it. */
  protected abstract CheckpointStorage createStorage() throws Exception;

  @BeforeEach
  void openStorage() throws Exception {
    storage = createStorage();
  }

  @AfterEach
  void closeStorage() {
    storage.close();
  }

  @Test
  void readsBackWhatWasWritten() throws Exception {
    storage.write("job/chk-1/_metadata", "hello".getBytes(UTF_8));

    assertThat(storage.read("job/chk-1/_metadata")).asString(UTF_8).isEqualTo("hello");
    assertThat(storage.exists("job/chk-1/_metadata")).isTrue();
  }

  @Test
  void readsBackAnEmptyObject() throws Exception {
    storage.write("empty", new byte[0]);

    assertThat(storage.read("empty")).isEmpty();
    assertThat(storage.list("")).containsExactly("empty");
  }

  @Test
  void replacesAnObjectOnWrite() throws Exception {
    storage.write("a", "first, longer content".getBytes(UTF_8));
    storage.write("a", "second".getBytes(UTF_8));

    assertThat(storage.read("a")).asString(UTF_8).isEqualTo("second");
  }

  @Test
  void overwritesAtomically() throws Exception {
    // A reader racing a writer must only ever see one whole version, never a mix or a prefix.
    byte[] versionA = filled(256 * 1024, (byte) 'a');
    byte[] versionB = filled(256 * 1024 + 17, (byte) 'b');
    storage.write("racy", versionA);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> reads =
          threads.submit(
              () -> {
                int count = 0;
                while (writing.get() || count == 0) {
                  byte[] seen = storage.read("racy");
                  assertThat(Arrays.equals(seen, versionA) || Arrays.equals(seen, versionB))
                      .as("read %d bytes that are neither version", seen.length)
                      .isTrue();
                  count++;
                }
                return count;
              });
      Future<?> writes =
          threads.submit(
              () -> {
                try {
                  for (int i = 0; i < 20; i++) {
                    storage.write("racy", i % 2 == 0 ? versionB : versionA);
                  }
                } finally {
                  writing.set(false);
                }
                return null;
              });
      writes.get(60, TimeUnit.SECONDS);
      assertThat(reads.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      threads.shutdownNow();
    }
    assertThat(storage.read("racy")).isEqualTo(versionA);
  }

  @Test
  void listsRecursivelyInPathOrder() throws Exception {
    for (String path : List.of("c/2", "a/1", "b", "a/b/c", "a/0", "a/b/a")) {
      storage.write(path, path.getBytes(UTF_8));
    }

    assertThat(storage.list("")).containsExactly("a/0", "a/1", "a/b/a", "a/b/c", "b", "c/2");
    assertThat(storage.list("a/")).containsExactly("a/0", "a/1", "a/b/a", "a/b/c");
    assertThat(storage.list("a/b/")).containsExactly("a/b/a", "a/b/c");
  }

  @Test
  void listsByPlainStringPrefix() throws Exception {
    for (String path : List.of("job/chk-1/x", "job/chk-10/x", "job/chk-2/x", "job/chk-1-y")) {
      storage.write(path, new byte[] {1});
    }

    assertThat(storage.list("job/chk-1"))
        .containsExactly("job/chk-1-y", "job/chk-1/x", "job/chk-10/x");
    assertThat(storage.list("job/chk-1/")).containsExactly("job/chk-1/x");
    assertThat(storage.list("job/chk-")).hasSize(4);
  }

  @Test
  void listsNothingUnderAnUnknownPrefix() throws Exception {
    storage.write("known/a", new byte[] {1});

    assertThat(storage.list("unknown/")).isEmpty();
    assertThat(storage.list("known/a/b")).isEmpty();
  }

  @Test
  void reportsAMissingObjectAsNotFound() {
    assertThatThrownBy(() -> storage.read("job/chk-3/_metadata"))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining(storage.describe("job/chk-3/_metadata"));
  }

  @Test
  void reportsAMissingDownloadAsNotFoundAndCreatesNoFile() {
    Path target = localDir.resolve("downloads/never");

    assertThatThrownBy(() -> storage.download("missing", target))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining(storage.describe("missing"));
    assertThat(target).doesNotExist();
    if (Files.isDirectory(target.getParent())) {
      assertThat(target.getParent()).as("no partial download").isEmptyDirectory();
    }
  }

  @Test
  void knowsWhichObjectsExist() throws Exception {
    assertThat(storage.exists("x/y")).isFalse();

    storage.write("x/y", new byte[] {1});
    assertThat(storage.exists("x/y")).isTrue();
    assertThat(storage.exists("x")).as("a directory-like prefix is no object").isFalse();

    storage.delete("x/y");
    assertThat(storage.exists("x/y")).isFalse();
  }

  @Test
  void copiesServerSide() throws Exception {
    storage.write("job/chk-1/state", "state".getBytes(UTF_8));
    storage.write("savepoints/sp-1/state", "older".getBytes(UTF_8));

    storage.copy("job/chk-1/state", "savepoints/sp-1/state");

    assertThat(storage.read("savepoints/sp-1/state")).asString(UTF_8).isEqualTo("state");
    assertThat(storage.read("job/chk-1/state")).asString(UTF_8).isEqualTo("state");
  }

  @Test
  void reportsACopyOfAMissingObjectAsNotFound() {
    assertThatThrownBy(() -> storage.copy("missing", "target"))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining(storage.describe("missing"));
  }

  @Test
  void deletesOneObjectAndIgnoresMissingOnes() throws Exception {
    storage.write("dir/a", new byte[] {1});
    storage.write("dir/b", new byte[] {2});

    storage.delete("dir/a");
    storage.delete("dir/a");
    storage.delete("never/written");

    assertThat(storage.list("")).containsExactly("dir/b");
  }

  @Test
  void deletesEverythingUnderAPrefix() throws Exception {
    for (String path :
        List.of("job/chk-1/a", "job/chk-1/sub/b", "job/chk-10/c", "job/other", "top")) {
      storage.write(path, new byte[] {1});
    }

    storage.deleteAll("job/chk-1/");
    assertThat(storage.list("")).containsExactly("job/chk-10/c", "job/other", "top");

    storage.deleteAll("job/");
    assertThat(storage.list("")).containsExactly("top");

    storage.deleteAll("nothing/here/");
    storage.deleteAll("");
    assertThat(storage.list("")).isEmpty();
  }

  @Test
  void deletesManyObjects() throws Exception {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      paths.add("many/" + (i % 3) + "/object-" + i);
    }
    for (String path : paths) {
      storage.write(path, new byte[] {(byte) paths.indexOf(path)});
    }

    storage.deleteAll("many/");

    assertThat(storage.list("")).isEmpty();
  }

  @Test
  void uploadsAndDownloadsFiles() throws Exception {
    // larger than one multipart part (S3) and than any transfer buffer
    byte[] content = new byte[6 * 1024 * 1024 + 123];
    new Random(42).nextBytes(content);
    Path source = Files.write(localDir.resolve("source.bin"), content);

    storage.upload("job/chk-1/shared/000012.sst", source);
    assertThat(storage.read("job/chk-1/shared/000012.sst")).isEqualTo(content);

    Path target = localDir.resolve("restore/db/000012.sst");
    storage.download("job/chk-1/shared/000012.sst", target);
    assertThat(Files.readAllBytes(target)).isEqualTo(content);

    storage.write("small", "small".getBytes(UTF_8));
    storage.download("small", target);
    assertThat(target).hasContent("small");
    try (var files = Files.list(target.getParent())) {
      assertThat(files).as("no partial download left behind").containsExactly(target);
    }
  }

  @Test
  void failsToUploadAMissingLocalFile() {
    Path missing = localDir.resolve("missing.bin");

    assertThatThrownBy(() -> storage.upload("a", missing))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isFalse())
        .hasMessageContaining(missing.toString())
        .hasMessageContaining(storage.describe("a"));
  }

  @Test
  void keepsUnusualNamesIntact() throws Exception {
    String path = "dir with space/ümlaut+plus=eq,comma;semi (1).bin";
    storage.write(path, "x".getBytes(UTF_8));

    assertThat(storage.list("dir with space/")).containsExactly(path);
    assertThat(storage.read(path)).asString(UTF_8).isEqualTo("x");
  }

  @Test
  void rejectsMalformedPaths() {
    for (String bad : List.of("", "/abs", "a/../b", "a//b", "./a", "a/", "a\\b")) {
      assertThatThrownBy(() -> storage.write(bad, new byte[0]))
          .as("path '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> storage.list("/abs")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void describesPathsUnderItsLocation() {
    assertThat(storage.describe("job/chk-3/_metadata"))
        .startsWith(storage.describe())
        .endsWith("/job/chk-3/_metadata");
  }

  private static byte[] filled(int length, byte value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, value);
    return bytes;
  }
}
