package dev.weir.state;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes a heap snapshot file ({@link HeapSnapshotFormat}) from captured states. Used by one upload
 * thread at a time; it keeps one key group's block in memory.
 */
final class HeapSnapshotWriter {
  private final int maxParallelism;
  private final KeyGroupRange range;
  private final Codec<Object> keyCodec;

  HeapSnapshotWriter(int maxParallelism, KeyGroupRange range, Codec<Object> keyCodec) {
    this.maxParallelism = maxParallelism;
    this.range = range;
    this.keyCodec = keyCodec;
  }

  /** Writes the file (which must not exist yet) and returns the number of bytes written. */
  long write(List<HeapSnapshotSource> sources, Path file) throws IOException {
    ByteArrayWriter block = new ByteArrayWriter(64 * 1024);
    ByteArrayWriter scratch = new ByteArrayWriter(1024);
    long bytes = 0;
    try (OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), 64 * 1024)) {
      block.writeInt(HeapSnapshotFormat.MAGIC);
      block.writeInt(HeapSnapshotFormat.VERSION);
      block.writeInt(maxParallelism);
      block.writeInt(range.start());
      block.writeInt(range.end());
      out.write(block.array(), 0, block.position());
      bytes += block.position();

      int blocks = 0;
      for (int keyGroup = range.start(); keyGroup <= range.end(); keyGroup++) {
        int index = keyGroup - range.start();
        block.reset();
        block.writeInt(keyGroup);
        block.writeInt(0); // length, patched below
        block.writeInt(0); // state count, patched below
        int states = 0;
        for (HeapSnapshotSource source : sources) {
          int stateStart = block.position();
          block.writeString(source.name());
          block.writeByte(source.kind().code);
          int countAt = block.position();
          block.writeInt(0);
          int entries = source.writeKeyGroup(index, block, scratch, keyCodec);
          if (entries == 0) {
            block.position(stateStart); // nothing for this state here: drop its header
          } else {
            block.putInt(countAt, entries);
            states++;
          }
        }
        if (states > 0) {
          block.putInt(4, block.position() - 8);
          block.putInt(8, states);
          out.write(block.array(), 0, block.position());
          bytes += block.position();
          blocks++;
        }
      }

      block.reset();
      block.writeInt(HeapSnapshotFormat.END_OF_BLOCKS);
      block.writeInt(blocks);
      out.write(block.array(), 0, block.position());
      bytes += block.position();
    }
    return bytes;
  }
}
