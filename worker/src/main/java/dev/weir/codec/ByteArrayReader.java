package dev.weir.codec;

import dev.weir.api.BinaryReader;
import java.nio.charset.StandardCharsets;

/**
 * A {@link BinaryReader} over a byte array range, re-pointed with {@link #wrap}. Reading past the
 * limit throws {@link MalformedDataException}. Not thread-safe.
 */
public final class ByteArrayReader implements BinaryReader {
  private byte[] buffer;
  private int position;
  private int limit;

  public ByteArrayReader() {
    this(new byte[0], 0, 0);
  }

  public ByteArrayReader(byte[] buffer, int offset, int length) {
    wrap(buffer, offset, length);
  }

  public ByteArrayReader wrap(byte[] bytes, int offset, int length) {
    this.buffer = bytes;
    this.position = offset;
    this.limit = offset + length;
    return this;
  }

  public int position() {
    return position;
  }

  public void position(int newPosition) {
    position = newPosition;
  }

  public int limit() {
    return limit;
  }

  public int remaining() {
    return limit - position;
  }

  public byte[] array() {
    return buffer;
  }

  private void need(int n) {
    if (position + n > limit) {
      throw new MalformedDataException(
          "truncated data: need " + n + " bytes at offset " + position + ", limit " + limit);
    }
  }

  @Override
  public byte readByte() {
    need(1);
    return buffer[position++];
  }

  @Override
  public boolean readBoolean() {
    return readByte() != 0;
  }

  @Override
  public int readInt() {
    need(4);
    byte[] b = buffer;
    int p = position;
    position = p + 4;
    return (b[p] & 0xff) << 24
        | (b[p + 1] & 0xff) << 16
        | (b[p + 2] & 0xff) << 8
        | (b[p + 3] & 0xff);
  }

  @Override
  public int readVarInt() {
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      byte b = readByte();
      result |= (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new MalformedDataException("malformed varint at offset " + position);
  }

  @Override
  public long readLong() {
    need(8);
    byte[] b = buffer;
    int p = position;
    position = p + 8;
    return (b[p] & 0xffL) << 56
        | (b[p + 1] & 0xffL) << 48
        | (b[p + 2] & 0xffL) << 40
        | (b[p + 3] & 0xffL) << 32
        | (b[p + 4] & 0xffL) << 24
        | (b[p + 5] & 0xffL) << 16
        | (b[p + 6] & 0xffL) << 8
        | (b[p + 7] & 0xffL);
  }

  @Override
  public double readDouble() {
    return Double.longBitsToDouble(readLong());
  }

  @Override
  public void readBytes(byte[] target, int offset, int length) {
    need(length);
    System.arraycopy(buffer, position, target, offset, length);
    position += length;
  }

  /** Skips {@code n} bytes. */
  public void skip(int n) {
    need(n);
    position += n;
  }

  @Override
  public String readString() {
    int length = readVarInt();
    if (length < 0) {
      throw new MalformedDataException("negative string length at offset " + position);
    }
    need(length);
    String s = new String(buffer, position, length, StandardCharsets.UTF_8);
    position += length;
    return s;
  }
}
