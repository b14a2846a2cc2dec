package dev.weir.codec;

import dev.weir.api.BinaryWriter;
import java.util.Arrays;

/**
 * A {@link BinaryWriter} over a growable byte array, reused across records: {@link #reset()} keeps
 * the array. Big-endian fixed-width numbers. Not thread-safe.
 */
public final class ByteArrayWriter implements BinaryWriter {
  private byte[] buffer;
  private int position;

  public ByteArrayWriter(int initialCapacity) {
    buffer = new byte[Math.max(16, initialCapacity)];
  }

  public void reset() {
    position = 0;
  }

  public int position() {
    return position;
  }

  /** Moves the write position back (to overwrite a reserved slot, for instance). */
  public void position(int newPosition) {
    position = newPosition;
  }

  /** The backing array; valid bytes are {@code [0, position())}. */
  public byte[] array() {
    return buffer;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, position);
  }

  private void ensure(int extra) {
    if (position + extra > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + extra));
    }
  }

  @Override
  public void writeByte(int value) {
    ensure(1);
    buffer[position++] = (byte) value;
  }

  @Override
  public void writeBoolean(boolean value) {
    writeByte(value ? 1 : 0);
  }

  @Override
  public void writeInt(int value) {
    ensure(4);
    putInt(buffer, position, value);
    position += 4;
  }

  /** Writes an int at an absolute position without moving the write position. */
  public void putInt(int at, int value) {
    putInt(buffer, at, value);
  }

  private static void putInt(byte[] b, int at, int value) {
    b[at] = (byte) (value >>> 24);
    b[at + 1] = (byte) (value >>> 16);
    b[at + 2] = (byte) (value >>> 8);
    b[at + 3] = (byte) value;
  }

  @Override
  public void writeVarInt(int value) {
    ensure(5);
    while ((value & ~0x7f) != 0) {
      buffer[position++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buffer[position++] = (byte) value;
  }

  @Override
  public void writeLong(long value) {
    ensure(8);
    byte[] b = buffer;
    int p = position;
    b[p] = (byte) (value >>> 56);
    b[p + 1] = (byte) (value >>> 48);
    b[p + 2] = (byte) (value >>> 40);
    b[p + 3] = (byte) (value >>> 32);
    b[p + 4] = (byte) (value >>> 24);
    b[p + 5] = (byte) (value >>> 16);
    b[p + 6] = (byte) (value >>> 8);
    b[p + 7] = (byte) value;
    position = p + 8;
  }

  @Override
  public void writeDouble(double value) {
    writeLong(Double.doubleToRawLongBits(value));
  }

  @Override
  public void writeBytes(byte[] bytes, int offset, int length) {
    ensure(length);
    System.arraycopy(bytes, offset, buffer, position, length);
    position += length;
  }

  /**
   * The common case in one pass: a string of fewer than 128 ASCII characters is its length byte and
   * its characters. Returns false (having written nothing) for anything else.
   */
  private boolean writeShortAscii(String value, int chars) {
    ensure(1 + chars);
    byte[] b = buffer;
    int p = position + 1;
    for (int i = 0; i < chars; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      b[p + i] = (byte) c;
    }
    b[position] = (byte) chars;
    position = p + chars;
    return true;
  }

  @Override
  public void writeString(String value) {
    int chars = value.length();
    if (chars < 0x80 && writeShortAscii(value, chars)) {
      return;
    }
    int utf8 = 0;
    for (int i = 0; i < chars; i++) {
      char c = value.charAt(i);
      utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    writeVarInt(utf8);
    ensure(utf8);
    byte[] b = buffer;
    int p = position;
    for (int i = 0; i < chars; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        b[p++] = (byte) c;
      } else if (c < 0x800) {
        b[p++] = (byte) (0xc0 | (c >> 6));
        b[p++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < chars
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, value.charAt(++i));
        b[p++] = (byte) (0xf0 | (cp >> 18));
        b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        b[p++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        // unpaired surrogate: two bytes budgeted, write '?' padded to keep the length honest
        b[p++] = (byte) '?';
        b[p++] = (byte) ' ';
      } else {
        b[p++] = (byte) (0xe0 | (c >> 12));
        b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        b[p++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    position = p;
  }
}
