package dev.weir.state;

import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.MalformedDataException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the key groups of one range from a local copy of a heap snapshot file ({@link
 * HeapSnapshotFormat}), skipping the others unread. Used by the task thread during restore.
 */
final class HeapSnapshotReader {
  private final int maxParallelism;
  private final KeyGroupRange range;

  HeapSnapshotReader(int maxParallelism, KeyGroupRange range) {
    this.maxParallelism = maxParallelism;
    this.range = range;
  }

  /**
   * Adds the entries of key groups in this reader's range to {@code states} (by state name).
   *
   * @param location the file's storage location, for messages
   * @throws StateRestoreException naming {@code location} when the file does not parse
   */
  void read(Path file, String location, Map<String, SerializedHeapState> states)
      throws StateRestoreException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024))) {
      readHeader(in, location);
      ByteArrayReader reader = new ByteArrayReader();
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
        if (length < 4) {
          throw corrupt(location, "block of key group " + keyGroup + " has length " + length);
        }
        blocks++;
        if (!range.contains(keyGroup)) {
          in.skipNBytes(length);
          continue;
        }
        byte[] content = in.readNBytes(length);
        if (content.length != length) {
          throw new EOFException();
        }
        readBlock(reader.wrap(content, 0, length), keyGroup - range.start(), states, location);
      }
    } catch (StateRestoreException e) {
      throw e;
    } catch (EOFException e) {
      throw new StateRestoreException(
          "keyed state file " + location + " is truncated (heap snapshot format)", e);
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
    if (magic != HeapSnapshotFormat.MAGIC) {
      throw corrupt(location, String.format("not a heap snapshot (magic %08x)", magic));
    }
    int version = in.readInt();
    if (version != HeapSnapshotFormat.VERSION) {
      throw new StateRestoreException(
          "keyed state file "
              + location
              + " has heap snapshot format version "
              + version
              + "; this Weir reads version "
              + HeapSnapshotFormat.VERSION);
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

  private void readBlock(
      ByteArrayReader in,
      int keyGroupIndex,
      Map<String, SerializedHeapState> states,
      String location)
      throws StateRestoreException {
    int stateCount = in.readInt();
    for (int s = 0; s < stateCount; s++) {
      String name = in.readString();
      int code = in.readByte();
      StateKind kind = StateKind.ofCode(code);
      if (kind == null) {
        throw corrupt(location, "unknown state kind " + code + " of state '" + name + "'");
      }
      SerializedHeapState state = states.get(name);
      if (state == null) {
        state = new SerializedHeapState(name, kind, range.size());
        states.put(name, state);
      } else if (state.kind() != kind) {
        throw corrupt(location, "state '" + name + "' appears as " + kind + " and " + state.kind());
      }
      int entries = in.readInt();
      for (int e = 0; e < entries; e++) {
        state.add(keyGroupIndex, bytes(in), bytes(in));
      }
    }
    if (in.remaining() != 0) {
      throw corrupt(location, in.remaining() + " unread bytes at the end of a block");
    }
  }

  private static byte[] bytes(ByteArrayReader in) {
    int length = in.readVarInt();
    if (length < 0 || length > in.remaining()) {
      throw new MalformedDataException("entry length " + length + " exceeds its block");
    }
    byte[] bytes = new byte[length];
    in.readBytes(bytes, 0, length);
    return bytes;
  }

  private static StateRestoreException corrupt(String location, String detail) {
    return new StateRestoreException("keyed state file " + location + " is corrupt: " + detail);
  }
}
