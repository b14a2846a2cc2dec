package dev.weir.state.format;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.state.KeyGroupRange;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a keyed state file of one {@link KeyGroupFileFormat} ({@link HeapSnapshotFormat}, {@link
 * CanonicalSnapshotFormat}) from captured states. For the canonical format it writes states in name
 * order and sorts each state's entries of a key group by key bytes. Used by one upload thread at a
 * time; it keeps one key group's block in memory.
 */
public final class KeyGroupFileWriter {
  private final KeyGroupFileFormat format;
  private final int maxParallelism;
  private final KeyGroupRange range;
  private final Codec<Object> keyCodec;

  public KeyGroupFileWriter(
      KeyGroupFileFormat format, int maxParallelism, KeyGroupRange range, Codec<Object> keyCodec) {
    this.format = format;
    this.maxParallelism = maxParallelism;
    this.range = range;
    this.keyCodec = keyCodec;
  }

  /** Writes the file (which must not exist yet) and returns the number of bytes written. */
  public long write(List<? extends KeyGroupStateSource> unordered, Path file) throws IOException {
    try (OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), 64 * 1024)) {
      return write(unordered, out);
    }
  }

  /**
   * Writes the file's bytes to {@code out} (left open) and returns their number. Key group blocks
   * go out whole, so {@code out} needs no buffer of its own.
   */
  public long write(List<? extends KeyGroupStateSource> unordered, OutputStream out)
      throws IOException {
    List<KeyGroupStateSource> sources = new ArrayList<>(unordered);
    if (format.sorted()) {
      sources.sort(Comparator.comparing(KeyGroupStateSource::name));
    }
    LengthPrefixedEntries sorter = format.sorted() ? new LengthPrefixedEntries() : null;
    ByteArrayWriter block = new ByteArrayWriter(64 * 1024);
    ByteArrayWriter scratch = new ByteArrayWriter(1024);
    long bytes = 0;
    block.writeInt(format.magic);
    block.writeInt(format.version);
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
      for (KeyGroupStateSource source : sources) {
        int stateStart = block.position();
        block.writeString(source.name());
        block.writeByte(source.kind().code());
        int countAt = block.position();
        block.writeInt(0);
        int entries = source.writeKeyGroup(index, block, scratch, keyCodec);
        if (entries == 0) {
          block.position(stateStart); // nothing for this state here: drop its header
        } else {
          block.putInt(countAt, entries);
          if (sorter != null) {
            sorter.sort(block, countAt + 4, entries);
          }
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
    return bytes;
  }
}
