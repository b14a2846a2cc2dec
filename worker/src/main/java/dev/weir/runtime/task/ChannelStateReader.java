package dev.weir.runtime.task;

import dev.weir.proto.ChannelStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.state.StateRestoreException;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Reads a task's channel state back: each file once, checked against the size and CRC32C its
 * handles recorded, then cut into the per-channel sections. Used on the task thread during restore.
 */
final class ChannelStateReader {

  /**
   * What a task restores: bytes per input channel (sending subtask) and per output channel
   * (receiving subtask), each a run of complete records.
   */
  record Restored(Map<Integer, byte[]> input, Map<Integer, byte[]> output) {
    static final Restored NONE = new Restored(Map.of(), Map.of());
  }

  private ChannelStateReader() {}

  /**
   * @param stage the restoring task's stage; handles of other stages are refused
   * @throws StateRestoreException naming the file when it is missing, truncated or corrupt
   */
  static Restored read(List<ChannelStateHandle> handles, int stage, CheckpointStorage storage)
      throws StateRestoreException {
    if (handles.isEmpty()) {
      return Restored.NONE;
    }
    Map<String, byte[]> files = new HashMap<>();
    Map<Integer, byte[]> input = new TreeMap<>();
    Map<Integer, byte[]> output = new TreeMap<>();
    for (ChannelStateHandle handle : handles) {
      StateFile file = handle.getFile();
      byte[] bytes = files.get(file.getPath());
      if (bytes == null) {
        bytes = readChecked(storage, file);
        files.put(file.getPath(), bytes);
      }
      String location = storage.describe(file.getPath());
      long end = handle.getOffset() + handle.getLength();
      if (handle.getOffset() < 0 || end > bytes.length || handle.getLength() < 0) {
        throw new StateRestoreException(
            "channel state file "
                + location
                + " has no bytes "
                + handle.getOffset()
                + ".."
                + end
                + " (it holds "
                + bytes.length
                + ")");
      }
      byte[] section = Arrays.copyOfRange(bytes, (int) handle.getOffset(), (int) end);
      boolean isInput = handle.getKind() == ChannelStateHandle.Kind.INPUT;
      int expectedStage = isInput ? stage : stage + 1;
      if (handle.getStage() != expectedStage) {
        throw new StateRestoreException(
            "channel state in "
                + location
                + " belongs to stage "
                + handle.getStage()
                + ", not to stage "
                + expectedStage
                + " (the job's stages changed since the checkpoint)");
      }
      (isInput ? input : output).merge(handle.getChannel(), section, ChannelStateReader::concat);
    }
    return new Restored(input, output);
  }

  private static byte[] readChecked(CheckpointStorage storage, StateFile file)
      throws StateRestoreException {
    String location = storage.describe(file.getPath());
    byte[] bytes;
    try {
      bytes = storage.read(file.getPath());
    } catch (StorageException e) {
      throw new StateRestoreException(
          "cannot read channel state file " + location + ": " + e.getMessage(), e);
    }
    if (bytes.length != file.getSize()) {
      throw new StateRestoreException(
          "channel state file "
              + location
              + " is truncated or corrupt: "
              + bytes.length
              + " bytes, the checkpoint recorded "
              + file.getSize());
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    if ((int) crc.getValue() != file.getCrc32C()) {
      throw new StateRestoreException(
          String.format(
              "channel state file %s is corrupt: CRC32C %08x, the checkpoint recorded %08x",
              location, (int) crc.getValue(), file.getCrc32C()));
    }
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
