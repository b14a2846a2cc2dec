package dev.weir.state.rocksdb;

import dev.weir.codec.ByteArrayWriter;
import dev.weir.state.StateKind;
import dev.weir.state.StateRestoreException;
import java.nio.charset.StandardCharsets;

/**
 * How the RocksDB backend lays keyed state out in a database (layout version {@value #VERSION}), as
 * Flink's key serialization (SerializedCompositeKeyBuilder) does for its backend:
 *
 * <ul>
 *   <li>one column family per state, named {@code state/<name>}; the default column family holds
 *       one metadata entry per state: UTF-8 name → {@code [layout version, kind code]}, so that a
 *       restore refuses a layout or a kind it does not know;
 *   <li>key: 2-byte big-endian key group, the serialized key's length as a varint, the serialized
 *       key (key codec), and for map state the serialized user key. The length makes keys
 *       self-delimiting, so the entries of one key of a map state are exactly the RocksDB keys with
 *       its prefix whatever the key codec writes; the key group first lets a restore clip or copy
 *       whole key group ranges;
 *   <li>value: the state's codec; for list state the elements, each as varint length + bytes,
 *       concatenated. {@code ListState.add} is a RocksDB merge with a string-append operator with
 *       an empty delimiter ({@link RocksDbResources}), so appending never reads the list.
 * </ul>
 *
 * <p>Pure functions, so any thread may use them; the backend calls {@link #writeKey} on every
 * {@code setCurrentKey}, into a reused buffer.
 */
final class RocksDbKeyLayout {
  /** The layout version recorded with every state; a restore refuses others. */
  static final byte VERSION = 1;

  /** Bytes of the key group at the start of every key. */
  static final int KEY_GROUP_BYTES = 2;

  private static final String COLUMN_PREFIX = "state/";

  private RocksDbKeyLayout() {}

  /** Appends the key of {@code key[offset, offset + length)}, a serialized key in a key group. */
  static void writeKey(ByteArrayWriter out, int keyGroup, byte[] key, int offset, int length) {
    out.writeByte(keyGroup >>> 8);
    out.writeByte(keyGroup);
    out.writeVarInt(length);
    out.writeBytes(key, offset, length);
  }

  /** The first bytes of every key in a key group; ranges of key groups start and end at these. */
  static byte[] keyGroupPrefix(int keyGroup) {
    return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
  }

  static int keyGroupOf(byte[] key) {
    return (key[0] & 0xff) << 8 | (key[1] & 0xff);
  }

  static byte[] columnName(String stateName) {
    return (COLUMN_PREFIX + stateName).getBytes(StandardCharsets.UTF_8);
  }

  /** The state name of a column family, or null for the default (metadata) column family. */
  static String stateName(byte[] columnName) {
    String name = new String(columnName, StandardCharsets.UTF_8);
    return name.startsWith(COLUMN_PREFIX) ? name.substring(COLUMN_PREFIX.length()) : null;
  }

  /** The key of a state's entry in the metadata column family. */
  static byte[] metadataKey(String stateName) {
    return stateName.getBytes(StandardCharsets.UTF_8);
  }

  /** A state's entry in the metadata column family. */
  static byte[] metadata(StateKind kind) {
    return new byte[] {VERSION, kind.code()};
  }

  /**
   * The kind a state's metadata entry records.
   *
   * @param metadata the entry, null when there is none
   * @param location where the database came from, for messages
   * @throws StateRestoreException when the entry is missing, of another layout version or of an
   *     unknown kind
   */
  static StateKind kindOf(byte[] metadata, String stateName, String location)
      throws StateRestoreException {
    if (metadata == null || metadata.length != 2) {
      throw new StateRestoreException(
          "RocksDB snapshot " + location + " has no metadata for state '" + stateName + "'");
    }
    if (metadata[0] != VERSION) {
      throw new StateRestoreException(
          "RocksDB snapshot "
              + location
              + " has layout version "
              + metadata[0]
              + "; this Weir reads version "
              + VERSION);
    }
    StateKind kind = StateKind.ofCode(metadata[1]);
    if (kind == null) {
      throw new StateRestoreException(
          "RocksDB snapshot "
              + location
              + " has unknown kind "
              + metadata[1]
              + " of '"
              + stateName
              + "'");
    }
    return kind;
  }
}
