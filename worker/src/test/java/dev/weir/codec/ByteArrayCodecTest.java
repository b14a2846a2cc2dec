package dev.weir.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteArrayCodecTest {

  @Test
  void readsBackEveryTypeItWrites() {
    ByteArrayWriter out = new ByteArrayWriter(4);
    out.writeByte(-3);
    out.writeBoolean(true);
    out.writeInt(-123456789);
    out.writeVarInt(300);
    out.writeVarInt(-1);
    out.writeLong(Long.MIN_VALUE + 7);
    out.writeDouble(3.25);
    out.writeString("héllo wörld ✓ 😀");
    out.writeString("");

    ByteArrayReader in = new ByteArrayReader(out.array(), 0, out.position());
    assertThat(in.readByte()).isEqualTo((byte) -3);
    assertThat(in.readBoolean()).isTrue();
    assertThat(in.readInt()).isEqualTo(-123456789);
    assertThat(in.readVarInt()).isEqualTo(300);
    assertThat(in.readVarInt()).isEqualTo(-1);
    assertThat(in.readLong()).isEqualTo(Long.MIN_VALUE + 7);
    assertThat(in.readDouble()).isEqualTo(3.25);
    assertThat(in.readString()).isEqualTo("héllo wörld ✓ 😀");
    assertThat(in.readString()).isEmpty();
    assertThat(in.remaining()).isZero();
  }

  @Test
  void reportsTruncatedInputInsteadOfReadingGarbage() {
    ByteArrayWriter out = new ByteArrayWriter(16);
    out.writeString("truncated");
    ByteArrayReader in = new ByteArrayReader(out.array(), 0, out.position() - 2);

    assertThatThrownBy(in::readString)
        .isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("truncated");
  }
}
