package dev.weir.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.OperatorSnapshot;
import org.junit.jupiter.api.Test;

class CheckpointMetadataFormatTest {
  private final CheckpointMetadata metadata =
      CheckpointMetadata.newBuilder()
          .setJobId("job")
          .setCheckpointId(12)
          .setMaxParallelism(128)
          .addOperators(OperatorSnapshot.newBuilder().setUid("count").setParallelism(2))
          .build();

  @Test
  void readsBackWhatItWroteWithItsVersion() throws Exception {
    CheckpointMetadata read =
        CheckpointMetadataFormat.decode(CheckpointMetadataFormat.encode(metadata), "x");

    assertThat(read)
        .isEqualTo(metadata.toBuilder().setVersion(CheckpointMetadataFormat.VERSION).build());
  }

  @Test
  void refusesAFlippedByteNamingTheFile() {
    byte[] bytes = CheckpointMetadataFormat.encode(metadata);
    bytes[bytes.length - 3] ^= 0x20;

    assertThatThrownBy(() -> CheckpointMetadataFormat.decode(bytes, "s3://b/job/chk-12/_metadata"))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessageContaining("s3://b/job/chk-12/_metadata")
        .hasMessageContaining("checksum");
  }

  @Test
  void refusesTruncatedAndForeignFiles() {
    byte[] bytes = CheckpointMetadataFormat.encode(metadata);
    assertThatThrownBy(
            () -> CheckpointMetadataFormat.decode(java.util.Arrays.copyOf(bytes, 10), "f"))
        .isInstanceOf(CorruptCheckpointException.class);
    assertThatThrownBy(() -> CheckpointMetadataFormat.decode("hello".getBytes(), "f"))
        .hasMessageContaining("not a Weir checkpoint metadata file");
  }

  @Test
  void refusesAnUnknownFormatVersion() {
    byte[] bytes = CheckpointMetadataFormat.encode(metadata);
    bytes[11] = 9;

    assertThatThrownBy(() -> CheckpointMetadataFormat.decode(bytes, "f"))
        .hasMessageContaining("version 9");
  }
}
