package dev.weir.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LocalDirectoryStorageTest extends CheckpointStorageContract {
  private Path root;

  @Override
  protected CheckpointStorage createStorage() {
    root = localDir.resolve("storage-root");
    return new LocalDirectoryStorage(root);
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws Exception {
    Path source = Files.writeString(localDir.resolve("source"), "file");
    storage.write("job/chk-1/a", "a".getBytes(UTF_8));
    storage.write("job/chk-1/a", "b".getBytes(UTF_8));
    storage.upload("job/chk-1/b", source);
    storage.copy("job/chk-1/b", "job/chk-2/b");
    storage.download("job/chk-2/b", localDir.resolve("downloaded"));

    try (Stream<Path> files = Files.walk(localDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.startsWith(".tmp-") || name.endsWith(".part"));
    }
  }

  @Test
  void doesNotListInFlightWrites() throws Exception {
    storage.write("job/chk-1/a", new byte[] {1});
    Files.write(root.resolve("job/chk-1/.tmp-12345"), new byte[] {2});

    assertThat(storage.list("")).containsExactly("job/chk-1/a");
    assertThatThrownBy(() -> storage.read("job/chk-1/.tmp-12345"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void failedUploadLeavesNoTemporaryFile() throws Exception {
    storage.write("job/existing", new byte[] {1});

    assertThatThrownBy(() -> storage.upload("job/new", localDir.resolve("missing")))
        .isInstanceOf(StorageException.class);

    try (Stream<Path> files = Files.list(root.resolve("job"))) {
      assertThat(files).containsExactly(root.resolve("job/existing"));
    }
  }

  @Test
  void removesDirectoriesThatBecomeEmpty() throws Exception {
    storage.write("job/chk-1/sub/a", new byte[] {1});
    storage.write("job/chk-1/b", new byte[] {1});
    storage.write("job/chk-2/c", new byte[] {1});
    Files.createDirectories(root.resolve("job/chk-1/empty/deeper"));
    Files.write(root.resolve("job/chk-1/sub/.tmp-left-by-a-crash"), new byte[] {1});

    storage.deleteAll("job/chk-1/");
    assertThat(root.resolve("job/chk-1")).doesNotExist();
    assertThat(root.resolve("job/chk-2")).isDirectory();

    storage.delete("job/chk-2/c");
    assertThat(root.resolve("job")).doesNotExist();
    assertThat(root).isEmptyDirectory();
  }

  @Test
  void storesObjectsAsFilesUnderTheRoot() throws Exception {
    storage.write("job/chk-1/_metadata", "m".getBytes(UTF_8));

    assertThat(root.resolve("job/chk-1/_metadata")).hasContent("m");
    assertThat(storage.describe()).isEqualTo(root.toAbsolutePath().toString());
  }

  @Test
  void createsTheRootWhenCheckedAndRejectsAFileInItsPlace() throws Exception {
    LocalDirectoryStorage fresh = new LocalDirectoryStorage(localDir.resolve("new/root"));
    fresh.checkReachable();
    assertThat(localDir.resolve("new/root")).isDirectory();

    Path file = Files.writeString(localDir.resolve("plain-file"), "x");
    assertThatThrownBy(() -> new LocalDirectoryStorage(file).checkReachable())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void reportsAReadOfADirectoryAsNotFound() throws Exception {
    storage.write("dir/a", new byte[] {1});

    assertThatThrownBy(() -> storage.read("dir"))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void aDirectOutputAppearsWholeOnlyOnCommit() throws Exception {
    storage.write("job/sp-1/file", "old".getBytes(UTF_8));
    try (ObjectOutput output = storage.directOutput("job/sp-1/file").orElseThrow()) {
      output.stream().write("new contents".getBytes(UTF_8));
      output.stream().flush();
      assertThat(storage.read("job/sp-1/file")).asString(UTF_8).isEqualTo("old");
      assertThat(storage.list("job/")).containsExactly("job/sp-1/file");
      output.commit();
    }

    assertThat(storage.read("job/sp-1/file")).asString(UTF_8).isEqualTo("new contents");
    try (Stream<Path> files = Files.list(root.resolve("job/sp-1"))) {
      assertThat(files).containsExactly(root.resolve("job/sp-1/file"));
    }
  }

  @Test
  void aDirectOutputClosedWithoutCommitLeavesNothing() throws Exception {
    try (ObjectOutput output = storage.directOutput("job/sp-1/file").orElseThrow()) {
      output.stream().write(new byte[] {1, 2, 3});
    }

    assertThat(storage.exists("job/sp-1/file")).isFalse();
    assertThat(
            Files.exists(root.resolve("job/sp-1"))
                && Files.list(root.resolve("job/sp-1")).findAny().isPresent())
        .as("a temporary file left behind")
        .isFalse();
  }

  @Test
  void anObjectsLocalFileIsTheStoredFileItselfAndAMissingOneIsNotFound() throws Exception {
    storage.write("job/chk-1/a", new byte[] {7});

    assertThat(storage.localFile("job/chk-1/a")).contains(root.resolve("job/chk-1/a"));
    assertThatThrownBy(() -> storage.localFile("job/chk-1/missing"))
        .isInstanceOf(StorageException.class)
        .matches(e -> ((StorageException) e).isNotFound());
  }
}
