package dev.weir.runtime.task;

import dev.weir.proto.ChannelStateHandle;
import dev.weir.proto.StateFile;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The in-flight data of one unaligned checkpoint of one task: copies of the input buffers the
 * barrier overtook (per sending subtask) and of the output it overtook (per receiving subtask),
 * collected while the originals are processed and recycled as usual, then written as one file
 * {@code <checkpoint>/_channel-state/stage-<s>-<subtask>} with a section per channel.
 *
 * <p>Threading: the task thread adds; afterwards the asynchronous part of the snapshot (one other
 * thread, handed over through the executor) writes. Never both at once.
 */
final class ChannelStateWriter {
  private final int stage;
  private final Map<Section, ByteArrayOutputStream> sections = new LinkedHashMap<>();
  private long bytes;

  private record Section(ChannelStateHandle.Kind kind, int stage, int channel) {}

  /**
   * @param stage the task's stage: its input channels belong to it, its output channels to the next
   */
  ChannelStateWriter(int stage) {
    this.stage = stage;
  }

  void addInput(int channel, byte[] data, int offset, int length) {
    add(new Section(ChannelStateHandle.Kind.INPUT, stage, channel), data, offset, length);
  }

  void addOutput(int channel, byte[] data, int offset, int length) {
    add(new Section(ChannelStateHandle.Kind.OUTPUT, stage + 1, channel), data, offset, length);
  }

  private void add(Section section, byte[] data, int offset, int length) {
    if (length == 0) {
      return;
    }
    sections.computeIfAbsent(section, s -> new ByteArrayOutputStream()).write(data, offset, length);
    bytes += length;
  }

  /** Bytes collected so far. */
  long bytes() {
    return bytes;
  }

  /**
   * Writes the file (nothing when there is no in-flight data) and describes each channel's section.
   */
  List<ChannelStateHandle> write(CheckpointStorage storage, String path) throws StorageException {
    if (bytes == 0) {
      return List.of();
    }
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("channel state of " + bytes + " bytes is too large");
    }
    byte[] file = new byte[(int) bytes];
    List<ChannelStateHandle.Builder> handles = new ArrayList<>();
    int offset = 0;
    for (var entry : sections.entrySet()) {
      byte[] section = entry.getValue().toByteArray();
      System.arraycopy(section, 0, file, offset, section.length);
      handles.add(
          ChannelStateHandle.newBuilder()
              .setKind(entry.getKey().kind())
              .setStage(entry.getKey().stage())
              .setChannel(entry.getKey().channel())
              .setOffset(offset)
              .setLength(section.length));
      offset += section.length;
    }
    CRC32C crc = new CRC32C();
    crc.update(file, 0, file.length);
    storage.write(path, file);
    StateFile stateFile =
        StateFile.newBuilder()
            .setPath(path)
            .setSize(file.length)
            .setCrc32C((int) crc.getValue())
            .build();
    List<ChannelStateHandle> result = new ArrayList<>(handles.size());
    for (ChannelStateHandle.Builder handle : handles) {
      result.add(handle.setFile(stateFile).build());
    }
    return result;
  }
}
