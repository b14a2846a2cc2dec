package dev.weir.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weir.proto.CheckpointMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The bytes of a {@code _metadata} object: magic {@code WEIRMETA}, format version, CRC32C of the
 * payload, then the {@link CheckpointMetadata} protobuf. A reader refuses unknown versions and
 * checksum mismatches rather than restoring from garbage.
 */
public final class CheckpointMetadataFormat {
  public static final int VERSION = 1;
  private static final byte[] MAGIC = "WEIRMETA".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = MAGIC.length + 4 + 4;

  private CheckpointMetadataFormat() {}

  public static byte[] encode(CheckpointMetadata metadata) {
    byte[] payload = metadata.toBuilder().setVersion(VERSION).build().toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return ByteBuffer.allocate(HEADER + payload.length)
        .put(MAGIC)
        .putInt(VERSION)
        .putInt((int) crc.getValue())
        .put(payload)
        .array();
  }

  public static CheckpointMetadata decode(byte[] bytes, String location)
      throws CorruptCheckpointException {
    if (bytes.length < HEADER || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptCheckpointException(location, "not a Weir checkpoint metadata file", null);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, MAGIC.length, bytes.length - MAGIC.length);
    int version = buffer.getInt();
    if (version != VERSION) {
      throw new CorruptCheckpointException(
          location, "metadata format version " + version + " is not supported (expected 1)", null);
    }
    int expectedCrc = buffer.getInt();
    CRC32C crc = new CRC32C();
    crc.update(bytes, HEADER, bytes.length - HEADER);
    if ((int) crc.getValue() != expectedCrc) {
      throw new CorruptCheckpointException(location, "checksum mismatch (file is corrupt)", null);
    }
    try {
      return CheckpointMetadata.parseFrom(ByteBuffer.wrap(bytes, HEADER, bytes.length - HEADER));
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptCheckpointException(location, "unreadable metadata: " + e.getMessage(), e);
    }
  }
}
