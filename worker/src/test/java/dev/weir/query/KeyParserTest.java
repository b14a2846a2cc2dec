package dev.weir.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import org.junit.jupiter.api.Test;

class KeyParserTest {

  @Test
  void aStringKeyIsTakenAsGivenSpacesIncluded() {
    assertThat(KeyParser.parse(Codecs.STRING, " two words ")).isEqualTo(" two words ");
    assertThat(KeyParser.parse(Codecs.STRING, "")).isEqualTo("");
  }

  @Test
  void anIntKeyIsADecimalNumberWithAnOptionalSign() {
    assertThat(KeyParser.parse(Codecs.INT, "42")).isEqualTo(42);
    assertThat(KeyParser.parse(Codecs.INT, "-7")).isEqualTo(-7);
    assertThat(KeyParser.parse(Codecs.INT, " 3 ")).isEqualTo(3);
  }

  @Test
  void aLongKeyIsADecimalNumberBeyondTheIntRange() {
    assertThat(KeyParser.parse(Codecs.LONG, "9000000000")).isEqualTo(9_000_000_000L);
  }

  @Test
  void textThatIsNotANumberIsNotAnIntOrLongKey() {
    assertThatThrownBy(() -> KeyParser.parse(Codecs.INT, "abc"))
        .isInstanceOf(KeyParser.InvalidKeyException.class)
        .hasMessage("'abc' is not an int key");
    assertThatThrownBy(() -> KeyParser.parse(Codecs.INT, "9000000000"))
        .isInstanceOf(KeyParser.InvalidKeyException.class);
    assertThatThrownBy(() -> KeyParser.parse(Codecs.LONG, "1.5"))
        .isInstanceOf(KeyParser.InvalidKeyException.class)
        .hasMessage("'1.5' is not a long key");
  }

  @Test
  void keysOfAnyOtherCodecCannotBeGivenAsText() {
    Codec<String> custom =
        new Codec<>() {
          @Override
          public void write(String value, BinaryWriter out) {
            out.writeString(value);
          }

          @Override
          public String read(BinaryReader in) {
            return in.readString();
          }
        };
    assertThat(KeyParser.supports(custom)).isFalse();
    assertThat(KeyParser.supports(Codecs.BYTES)).isFalse();
    assertThat(KeyParser.supports(Codecs.INT)).isTrue();
    assertThatThrownBy(() -> KeyParser.parse(custom, "x"))
        .isInstanceOf(KeyParser.InvalidKeyException.class)
        .hasMessageStartingWith("keys of this operator cannot be given as text");
  }

  @Test
  void noKeyIsNoKey() {
    assertThatThrownBy(() -> KeyParser.parse(Codecs.STRING, null))
        .isInstanceOf(KeyParser.InvalidKeyException.class);
  }
}
