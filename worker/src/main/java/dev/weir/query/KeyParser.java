package dev.weir.query;

import dev.weir.api.Codec;
import dev.weir.api.Codecs;

/**
 * Turns a key given as text (an HTTP parameter, a CLI argument) into a key object of the operator's
 * key type. Only keys whose codec is {@link Codecs#STRING}, {@link Codecs#INT} or {@link
 * Codecs#LONG} can be given as text: for any other codec there is no text form that is known to
 * encode like the operator's own keys, and a key that encodes differently would land in another key
 * group.
 */
public final class KeyParser {
  private KeyParser() {}

  /** Whether keys of this codec can be parsed from text. */
  public static boolean supports(Codec<?> keyCodec) {
    return keyCodec == Codecs.STRING || keyCodec == Codecs.INT || keyCodec == Codecs.LONG;
  }

  /**
   * Parses {@code text} as a key of {@code keyCodec}'s type: a string is taken as is; an int or a
   * long is a decimal number with an optional sign.
   *
   * @throws InvalidKeyException when the codec has no text form or the text is not a valid key
   */
  public static Object parse(Codec<?> keyCodec, String text) {
    if (text == null) {
      throw new InvalidKeyException("no key given");
    }
    if (keyCodec == Codecs.STRING) {
      return text;
    }
    if (keyCodec == Codecs.INT) {
      try {
        return Integer.valueOf(text.strip());
      } catch (NumberFormatException e) {
        throw new InvalidKeyException("'" + text + "' is not an int key");
      }
    }
    if (keyCodec == Codecs.LONG) {
      try {
        return Long.valueOf(text.strip());
      } catch (NumberFormatException e) {
        throw new InvalidKeyException("'" + text + "' is not a long key");
      }
    }
    throw new InvalidKeyException(
        "keys of this operator cannot be given as text (only string, int and long keys can)");
  }

  /** A key given as text that is not a key of the operator. */
  public static final class InvalidKeyException extends IllegalArgumentException {
    public InvalidKeyException(String message) {
      super(message);
    }
  }
}
