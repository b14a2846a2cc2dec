package dev.weir.state;

import dev.weir.proto.StateFile;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Moves snapshot files between the local disk and checkpoint storage, recording each file's size
 * and CRC32C on the way up and verifying them on the way down. Stateless, so any thread may use it.
 */
final class StateFileTransfer {
  private StateFileTransfer() {}

  /** Uploads a local file to {@code path} and describes it. */
  static StateFile upload(CheckpointStorage storage, String path, Path localFile)
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
  static void download(CheckpointStorage storage, StateFile file, Path localFile)
      throws StateRestoreException {
    String location = storage.describe(file.getPath());
    try {
      storage.download(file.getPath(), localFile);
    } catch (StorageException e) {
      throw new StateRestoreException(
          "cannot download keyed state file " + location + ": " + e.getMessage(), e);
    }
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
          "cannot read downloaded keyed state file " + location + " at " + localFile, e);
    }
  }

  static int crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
      }
    }
    return (int) crc.getValue();
  }

  /** The last segment of a storage path, checked to be a plain file name. */
  static String fileName(String path, CheckpointStorage storage) throws StateRestoreException {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\\') >= 0) {
      throw new StateRestoreException(
          "keyed state file " + storage.describe(path) + " has no usable file name");
    }
    return name;
  }
}
