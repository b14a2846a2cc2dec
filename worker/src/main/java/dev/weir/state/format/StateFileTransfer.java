package dev.weir.state.format;

import dev.weir.proto.StateFile;
import dev.weir.state.StateRestoreException;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.ObjectOutput;
import dev.weir.storage.StorageException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Moves snapshot files between the local disk and checkpoint storage, recording each file's size
 * and CRC32C on the way up and verifying them on the way down. Stateless, so any thread may use it.
 */
public final class StateFileTransfer {
  private StateFileTransfer() {}

  /** Writes a file's bytes to a stream. */
  public interface Body {
    void writeTo(OutputStream out) throws Exception;
  }

  /**
   * Writes a snapshot file to {@code path}, straight into storage where it can take a stream (a
   * local directory: no second copy), else into {@code localFile} and uploads that; either way the
   * size and CRC32C are computed while writing, not in another pass over the file. {@code
   * localFile} is deleted afterwards.
   */
  public static StateFile write(CheckpointStorage storage, String path, Path localFile, Body body)
      throws Exception {
    Optional<ObjectOutput> direct = storage.directOutput(path);
    if (direct.isPresent()) {
      try (ObjectOutput output = direct.get()) {
        StateFile file = writeTo(output.stream(), path, body);
        output.commit();
        return file;
      }
    }
    try {
      StateFile file;
      try (OutputStream out = Files.newOutputStream(localFile, StandardOpenOption.CREATE_NEW)) {
        file = writeTo(out, path, body);
      }
      storage.upload(path, localFile);
      return file;
    } finally {
      Files.deleteIfExists(localFile);
    }
  }

  /** Writes the body to {@code target} (flushed, left open) and describes what it wrote. */
  private static StateFile writeTo(OutputStream target, String path, Body body) throws Exception {
    CRC32C crc = new CRC32C();
    Checksummed out = new Checksummed(target, crc);
    body.writeTo(out);
    out.flush();
    return StateFile.newBuilder()
        .setPath(path)
        .setSize(out.size)
        .setCrc32C((int) crc.getValue())
        .build();
  }

  /** Counts and checksums what goes through, in 64 KiB writes. */
  private static final class Checksummed extends CheckedOutputStream {
    long size;

    Checksummed(OutputStream out, CRC32C crc) {
      super(new BufferedOutputStream(out, 64 * 1024), crc);
    }

    @Override
    public void write(int b) throws IOException {
      super.write(b);
      size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      super.write(b, off, len);
      size += len;
    }
  }

  /** A snapshot file to read locally: the storage's own file or a downloaded copy. */
  public record LocalCopy(Path path, boolean downloaded) implements AutoCloseable {
    /** Deletes the file if it was downloaded. */
    @Override
    public void close() throws IOException {
      if (downloaded) {
        Files.deleteIfExists(path);
      }
    }
  }

  /**
   * The local file of a snapshot file, checked against the handle's size and CRC32C: the storage's
   * own file where it has one (a local directory: read in place, no copy), else a download into
   * {@code downloadTo}.
   *
   * @throws StateRestoreException naming the file when it is missing, unreadable or corrupt
   */
  public static LocalCopy local(CheckpointStorage storage, StateFile file, Path downloadTo)
      throws StateRestoreException {
    Optional<Path> inPlace;
    try {
      inPlace = storage.localFile(file.getPath());
    } catch (StorageException e) {
      throw new StateRestoreException(
          "cannot read keyed state file "
              + storage.describe(file.getPath())
              + ": "
              + e.getMessage(),
          e);
    }
    if (inPlace.isPresent()) {
      verify(storage.describe(file.getPath()), file, inPlace.get());
      return new LocalCopy(inPlace.get(), false);
    }
    download(storage, file, downloadTo);
    return new LocalCopy(downloadTo, true);
  }

  /** Uploads a local file to {@code path} and describes it. */
  public static StateFile upload(CheckpointStorage storage, String path, Path localFile)
      throws IOException {
    long size = Files.size(localFile);
    int crc = crc32c(localFile);
    storage.upload(path, localFile);
    return StateFile.newBuilder().setPath(path).setSize(size).setCrc32C(crc).build();
  }

  /**
   * Downloads a snapshot file and checks its size and CRC32C against the handle.
   *
   * @throws StateRestoreException naming the file when it is missing, unreadable or corrupt
   */
  public static void download(CheckpointStorage storage, StateFile file, Path localFile)
      throws StateRestoreException {
    String location = storage.describe(file.getPath());
    try {
      storage.download(file.getPath(), localFile);
    } catch (StorageException e) {
      throw new StateRestoreException(
          "cannot download keyed state file " + location + ": " + e.getMessage(), e);
    }
    verify(location, file, localFile);
  }

  /** Checks a local file's size and CRC32C against the handle's. */
  private static void verify(String location, StateFile file, Path localFile)
      throws StateRestoreException {
    try {
      long size = Files.size(localFile);
      if (size != file.getSize()) {
        throw new StateRestoreException(
            "keyed state file "
                + location
                + " is truncated or corrupt: "
                + size
                + " bytes, the checkpoint recorded "
                + file.getSize());
      }
      int crc = crc32c(localFile);
      if (crc != file.getCrc32C()) {
        throw new StateRestoreException(
            String.format(
                "keyed state file %s is corrupt: CRC32C %08x, the checkpoint recorded %08x",
                location, crc, file.getCrc32C()));
      }
    } catch (StateRestoreException e) {
      throw e;
    } catch (IOException e) {
      throw new StateRestoreException(
          "cannot read keyed state file " + location + " at " + localFile, e);
    }
  }

  public static int crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
      }
    }
    return (int) crc.getValue();
  }

  /** The last segment of a storage path, checked to be a plain file name. */
  public static String fileName(String path, CheckpointStorage storage)
      throws StateRestoreException {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\\') >= 0) {
      throw new StateRestoreException(
          "keyed state file " + storage.describe(path) + " has no usable file name");
    }
    return name;
  }
}
