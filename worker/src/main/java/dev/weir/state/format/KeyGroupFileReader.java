package dev.weir.state.format;

import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.MalformedDataException;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the key groups of one range from a local copy of a keyed state file of one {@link
 * KeyGroupFileFormat}, skipping the others unread, and hands their entries to an {@link EntrySink}.
 * Used by the task thread during restore.
 */
public final class KeyGroupFileReader {
  private final KeyGroupFileFormat format;
  private final int maxParallelism;
  private final KeyGroupRange range;

  /** Receives the entries of the key groups in the reader's range, key group by key group. */
  public interface EntrySink {
    /** The entries that follow, until the next call, belong to this state and key group. */
    void beginState(int keyGroup, String name, StateKind kind) throws StateRestoreException;

    /**
     * One entry; the bytes are valid only during the call.
     *
     * @throws MalformedDataException when the value does not decode as the format prescribes
     */
    void entry(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength)
        throws StateRestoreException;
  }

  public KeyGroupFileReader(KeyGroupFileFormat format, int maxParallelism, KeyGroupRange range) {
    this.format = format;
    this.maxParallelism = maxParallelism;
    this.range = range;
  }

  /**
   * Hands the entries of key groups in this reader's range to {@code sink}.
   *
   * @param location the file's storage location, for messages
   * @throws StateRestoreException naming {@code location} when the file does not parse
   */
  public void read(Path file, String location, EntrySink sink) throws StateRestoreException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024))) {
      readHeader(in, location);
      ByteArrayReader reader = new ByteArrayReader();
      byte[] content = new byte[64 * 1024];
      long fileSize = Files.size(file);
      int blocks = 0;
      int previous = -1;
      while (true) {
        int keyGroup = in.readInt();
        if (keyGroup == HeapSnapshotFormat.END_OF_BLOCKS) {
          int expected = in.readInt();
          if (expected != blocks) {
            throw corrupt(location, "trailer counts " + expected + " blocks, found " + blocks);
          }
          if (in.read() != -1) {
            throw corrupt(location, "bytes after the trailer");
          }
          return;
        }
        if (keyGroup <= previous || keyGroup >= maxParallelism) {
          throw corrupt(location, "key group " + keyGroup + " out of order or out of range");
        }
        previous = keyGroup;
        int length = in.readInt();
        if (length > fileSize) {
          throw new EOFException(); // before a buffer of that size is allocated
        }
        if (length < 4) {
          throw corrupt(location, "block of key group " + keyGroup + " has length " + length);
        }
        blocks++;
        if (!range.contains(keyGroup)) {
          in.skipNBytes(length);
          continue;
        }
        if (content.length < length) {
          // reused: entries are valid only during the sink's call; a block is a key group's
          // state (megabytes), so a fresh array per block would churn the heap
          content = new byte[Math.max(length, Math.min(2 * content.length, Integer.MAX_VALUE - 8))];
        }
        in.readFully(content, 0, length);
        readBlock(reader.wrap(content, 0, length), keyGroup, sink, location);
      }
    } catch (StateRestoreException e) {
      throw e;
    } catch (EOFException e) {
      throw new StateRestoreException(
          "keyed state file " + location + " is truncated (" + format.label + " format)", e);
    } catch (MalformedDataException e) {
      throw new StateRestoreException(
          "keyed state file " + location + " is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new StateRestoreException(
          "cannot read keyed state file " + location + " (local copy " + file + ")", e);
    }
  }

  private void readHeader(DataInputStream in, String location) throws IOException {
    int magic = in.readInt();
    if (magic != format.magic) {
      throw corrupt(location, String.format("not a %s (magic %08x)", format.label, magic));
    }
    int version = in.readInt();
    if (version != format.version) {
      throw new StateRestoreException(
          "keyed state file "
              + location
              + " has "
              + format.label
              + " format version "
              + version
              + "; this Weir reads version "
              + format.version);
    }
    int fileMaxParallelism = in.readInt();
    if (fileMaxParallelism != maxParallelism) {
      throw new StateRestoreException(
          "keyed state file "
              + location
              + " was written with maxParallelism "
              + fileMaxParallelism
              + ", the job now has "
              + maxParallelism
              + "; key groups cannot be mapped");
    }
    in.readInt(); // first key group: blocks carry their own
    in.readInt(); // last key group
  }

  private void readBlock(ByteArrayReader in, int keyGroup, EntrySink sink, String location)
      throws StateRestoreException {
    int stateCount = in.readInt();
    for (int s = 0; s < stateCount; s++) {
      String name = in.readString();
      int code = in.readByte();
      StateKind kind = StateKind.ofCode(code);
      if (kind == null) {
        throw corrupt(location, "unknown state kind " + code + " of state '" + name + "'");
      }
      sink.beginState(keyGroup, name, kind);
      int entries = in.readInt();
      byte[] bytes = in.array();
      for (int e = 0; e < entries; e++) {
        int keyLength = length(in);
        int keyOffset = in.position();
        in.skip(keyLength);
        int valueLength = length(in);
        int valueOffset = in.position();
        in.skip(valueLength);
        sink.entry(bytes, keyOffset, keyLength, valueOffset, valueLength);
      }
    }
    if (in.remaining() != 0) {
      throw corrupt(location, in.remaining() + " unread bytes at the end of a block");
    }
  }

  private static int length(ByteArrayReader in) {
    int length = in.readVarInt();
    if (length < 0 || length > in.remaining()) {
      throw new MalformedDataException("entry length " + length + " exceeds its block");
    }
    return length;
  }

  public static StateRestoreException corrupt(String location, String detail) {
    return new StateRestoreException("keyed state file " + location + " is corrupt: " + detail);
  }
}
