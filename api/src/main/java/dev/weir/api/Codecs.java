package dev.weir.api;

import java.util.ArrayList;
import java.util.List;

/** Codecs of common types. */
public final class Codecs {
  private Codecs() {}

  public static final Codec<String> STRING =
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

  public static final Codec<Long> LONG =
      new Codec<>() {
        @Override
        public void write(Long value, BinaryWriter out) {
          out.writeLong(value);
        }

        @Override
        public Long read(BinaryReader in) {
          return in.readLong();
        }
      };

  public static final Codec<Integer> INT =
      new Codec<>() {
        @Override
        public void write(Integer value, BinaryWriter out) {
          out.writeInt(value);
        }

        @Override
        public Integer read(BinaryReader in) {
          return in.readInt();
        }
      };

  public static final Codec<byte[]> BYTES =
      new Codec<>() {
        @Override
        public void write(byte[] value, BinaryWriter out) {
          out.writeVarInt(value.length);
          out.writeBytes(value, 0, value.length);
        }

        @Override
        public byte[] read(BinaryReader in) {
          byte[] bytes = new byte[in.readVarInt()];
          in.readBytes(bytes, 0, bytes.length);
          return bytes;
        }
      };

  /** A list, length-prefixed. */
  public static <T> Codec<List<T>> listOf(Codec<T> element) {
    return new Codec<>() {
      @Override
      public void write(List<T> value, BinaryWriter out) {
        out.writeVarInt(value.size());
        for (T t : value) {
          element.write(t, out);
        }
      }

      @Override
      public List<T> read(BinaryReader in) {
        int n = in.readVarInt();
        List<T> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(element.read(in));
        }
        return list;
      }
    };
  }
}
