package dev.weir.api;

/** Where a {@link Codec} reads a value written by the matching {@link BinaryWriter} calls. */
public interface BinaryReader {
  byte readByte();

  boolean readBoolean();

  int readInt();

  int readVarInt();

  long readLong();

  double readDouble();

  void readBytes(byte[] target, int offset, int length);

  String readString();
}
