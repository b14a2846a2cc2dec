package dev.weir.api;

/** A key and how many records of it were seen. */
public record KeyCount<K>(K key, long count) {

  public static <K> Codec<KeyCount<K>> codec(Codec<K> keyCodec) {
    return new Codec<>() {
      @Override
      public void write(KeyCount<K> value, BinaryWriter out) {
        keyCodec.write(value.key(), out);
        out.writeLong(value.count());
      }

      @Override
      public KeyCount<K> read(BinaryReader in) {
        return new KeyCount<>(keyCodec.read(in), in.readLong());
      }
    };
  }
}
