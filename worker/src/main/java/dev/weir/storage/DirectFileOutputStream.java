package dev.weir.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writes a new file with direct I/O ({@code O_DIRECT}): bytes go from an aligned buffer to the disk
 * without being copied into the page cache, which for a file of a gigabyte costs more CPU than
 * producing its bytes, and the final force has nothing left to write back. Whole aligned blocks are
 * written; {@link #finish()} pads the last one and truncates the file to the bytes written. A file
 * that fits in the buffer (a small checkpoint's) is written through the page cache instead, in one
 * write: for a few kilobytes a direct write and the truncation cost more than they save. Used by
 * one thread.
 */
final class DirectFileOutputStream extends OutputStream {
  private static final int BUFFER_BYTES = 4 << 20;

  private final Path file;
  private final FileChannel channel;
  private final int blockSize;
  private boolean drained;
  private final ByteBuffer buffer;
  private long written;
  private boolean released;

  /**
   * Aligned buffers of closed streams, for the next: allocating (and zeroing) 4 MiB of direct
   * memory for every file made each small checkpoint file cost milliseconds. As many as streams
   * were open at once.
   */
  private static final ConcurrentLinkedQueue<ByteBuffer> FREE_BUFFERS =
      new ConcurrentLinkedQueue<>();

  private DirectFileOutputStream(Path file, FileChannel channel, int blockSize) {
    this.file = file;
    this.channel = channel;
    this.blockSize = blockSize;
    this.buffer = takeBuffer(blockSize);
  }

  private static ByteBuffer takeBuffer(int blockSize) {
    ByteBuffer free;
    while ((free = FREE_BUFFERS.poll()) != null) {
      if (free.alignmentOffset(0, blockSize) == 0 && free.capacity() % blockSize == 0) {
        free.clear();
        return free;
      }
    }
    return ByteBuffer.allocateDirect(BUFFER_BYTES + blockSize).alignedSlice(blockSize);
  }

  /**
   * Opens {@code file} (which exists, empty) for direct writes; null where the file system or
   * platform does not take them (the caller writes through the page cache then).
   */
  static DirectFileOutputStream openOrNull(Path file) {
    int blockSize;
    FileChannel channel;
    try {
      blockSize = (int) Math.max(4096, Files.getFileStore(file).getBlockSize());
      if (Integer.bitCount(blockSize) != 1 || blockSize > (1 << 20)) {
        return null;
      }
      channel = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      return null; // tmpfs and others refuse O_DIRECT
    }
    return new DirectFileOutputStream(file, channel, blockSize);
  }

  FileChannel channel() {
    return channel;
  }

  @Override
  public void write(int b) throws IOException {
    if (!buffer.hasRemaining()) {
      drain();
    }
    buffer.put((byte) b);
    written++;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    while (length > 0) {
      if (!buffer.hasRemaining()) {
        drain();
      }
      int n = Math.min(length, buffer.remaining());
      buffer.put(bytes, offset, n);
      offset += n;
      length -= n;
      written += n;
    }
  }

  /** Writes the full buffer (a whole number of blocks). */
  private void drain() throws IOException {
    drained = true;
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  /** Writes what is buffered, the last block padded with zeros, and cuts the file to its size. */
  void finish() throws IOException {
    if (!drained) { // all of it is in the buffer: one ordinary write
      buffer.flip();
      try (FileChannel cached = FileChannel.open(file, StandardOpenOption.WRITE)) {
        while (buffer.hasRemaining()) {
          cached.write(buffer);
        }
      }
      buffer.clear();
      return; // the caller's force of channel() forces the file, whichever channel wrote it
    }
    int tail = buffer.position();
    if (tail > 0) {
      int padded = (tail + blockSize - 1) / blockSize * blockSize;
      while (buffer.position() < padded) {
        buffer.put((byte) 0);
      }
      drain();
    }
    channel.truncate(written);
  }

  @Override
  public void close() throws IOException {
    if (!released) {
      released = true;
      FREE_BUFFERS.add(buffer);
    }
    channel.close();
  }
}
