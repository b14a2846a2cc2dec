package dev.weir.state.rocksdb;

import dev.weir.codec.ByteArrayWriter;
import java.util.Arrays;
import org.rocksdb.WriteBatch;

/**
 * Builds a RocksDB {@link WriteBatch} in Java, in RocksDB's serialized batch format (the format of
 * its write-ahead log, which RocksDB keeps readable across versions), so that a batch of many
 * entries crosses JNI once instead of once per entry. Only puts and deletes in non-default column
 * families.
 *
 * <p>Format: an 8-byte little-endian sequence number (0: RocksDB assigns it when writing), a 4-byte
 * little-endian record count, then per record a type byte, the column family id as a varint, and
 * the key (and for a put the value), each as varint length + bytes. Varints are LEB128, as {@link
 * ByteArrayWriter#writeVarInt} writes them. A test checks the bytes against what {@link WriteBatch}
 * itself produces.
 *
 * <p>Not thread-safe; reused by its owner (the backend's task thread) across batches.
 */
final class RocksDbWriteBatchBuilder {
  private static final int HEADER_BYTES = 12;
  private static final int COUNT_OFFSET = 8;
  // record types of RocksDB's dbformat.h
  private static final int COLUMN_FAMILY_DELETION = 0x4;
  private static final int COLUMN_FAMILY_VALUE = 0x5;

  private final ByteArrayWriter out = new ByteArrayWriter(64 << 10);
  private int count;

  RocksDbWriteBatchBuilder() {
    reset();
  }

  /** Empties the batch, keeping its buffer. */
  void reset() {
    out.reset();
    for (int i = 0; i < HEADER_BYTES; i++) {
      out.writeByte(0);
    }
    count = 0;
  }

  void put(int columnFamilyId, byte[] key, int keyLength, byte[] value, int valueLength) {
    put(columnFamilyId, key, keyLength, value, 0, valueLength);
  }

  void put(
      int columnFamilyId,
      byte[] key,
      int keyLength,
      byte[] value,
      int valueOffset,
      int valueLength) {
    out.writeByte(COLUMN_FAMILY_VALUE);
    out.writeVarInt(columnFamilyId);
    out.writeVarInt(keyLength);
    out.writeBytes(key, 0, keyLength);
    out.writeVarInt(valueLength);
    out.writeBytes(value, valueOffset, valueLength);
    count++;
  }

  void delete(int columnFamilyId, byte[] key, int keyLength) {
    out.writeByte(COLUMN_FAMILY_DELETION);
    out.writeVarInt(columnFamilyId);
    out.writeVarInt(keyLength);
    out.writeBytes(key, 0, keyLength);
    count++;
  }

  int count() {
    return count;
  }

  /** Bytes of the serialized batch so far, header included. */
  int sizeBytes() {
    return out.position();
  }

  /** The serialized batch; {@code new WriteBatch(serialized())} gives the native batch. */
  byte[] serialized() {
    byte[] bytes = Arrays.copyOf(out.array(), out.position());
    bytes[COUNT_OFFSET] = (byte) count;
    bytes[COUNT_OFFSET + 1] = (byte) (count >>> 8);
    bytes[COUNT_OFFSET + 2] = (byte) (count >>> 16);
    bytes[COUNT_OFFSET + 3] = (byte) (count >>> 24);
    return bytes;
  }
}
