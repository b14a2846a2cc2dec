package dev.weir.api;

/**
 * Where a {@link Codec} writes a value. Implementations grow as needed; callers never see the
 * underlying buffer.
 */
public interface BinaryWriter {
  void writeByte(int value);

  void writeBoolean(boolean value);

  void writeInt(int value);

  /** Variable-length unsigned int (1–5 bytes); negative values take 5 bytes. */
  void writeVarInt(int value);

  void writeLong(long value);

  void writeDouble(double value);

  void writeBytes(byte[] bytes, int offset, int length);

  /** Length-prefixed UTF-8. */
  void writeString(String value);
}
