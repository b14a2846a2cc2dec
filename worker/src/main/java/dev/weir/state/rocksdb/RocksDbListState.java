package dev.weir.state.rocksdb;

import dev.weir.api.Codec;
import dev.weir.api.ListState;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.codec.MalformedDataException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link ListState} of the RocksDB backend. The stored value is the concatenation of the elements,
 * each as varint length + codec bytes; {@link #add} and {@link #addAll} append through RocksDB's
 * merge (string append, empty delimiter) without reading the list. The length prefix keeps elements
 * apart even when a codec writes zero bytes. Used by the task thread only.
 */
final class RocksDbListState<T> implements ListState<T> {
  private final RocksDbKeyedStateBackend backend;
  private final RocksDbColumn column;
  private final Codec<T> codec;
  private final ByteArrayReader elementReader = new ByteArrayReader();

  RocksDbListState(RocksDbKeyedStateBackend backend, RocksDbColumn column, Codec<T> codec) {
    this.backend = backend;
    this.column = column;
    this.codec = codec;
  }

  @Override
  public List<T> get() {
    int keyLength = backend.currentKeyLength();
    int n = backend.readRaw(column, backend.currentKeyBytes(), keyLength);
    if (n < 0) {
      return List.of();
    }
    byte[] bytes = backend.readBuffer();
    ByteArrayReader in = new ByteArrayReader(bytes, 0, n);
    List<T> values = new ArrayList<>();
    while (in.remaining() > 0) {
      int length = in.readVarInt();
      if (length < 0 || length > in.remaining()) {
        throw new MalformedDataException(
            "list state '" + column.name + "': element length " + length + " exceeds the value");
      }
      int start = in.position();
      values.add(codec.read(elementReader.wrap(bytes, start, length)));
      in.position(start + length);
    }
    return values;
  }

  @Override
  public void add(T value) {
    Objects.requireNonNull(value, "ListState.add(null)");
    int keyLength = backend.currentKeyLength();
    ByteArrayWriter out = backend.valueBuffer();
    append(value, out);
    backend.merge(column, backend.currentKeyBytes(), keyLength, out);
  }

  @Override
  public void addAll(List<T> values) {
    if (values.isEmpty()) {
      return;
    }
    int keyLength = backend.currentKeyLength();
    backend.merge(column, backend.currentKeyBytes(), keyLength, encode(values));
  }

  @Override
  public void update(List<T> values) {
    int keyLength = backend.currentKeyLength();
    if (values.isEmpty()) {
      backend.delete(column, backend.currentKeyBytes(), keyLength);
      return;
    }
    backend.put(column, backend.currentKeyBytes(), keyLength, encode(values));
  }

  @Override
  public void clear() {
    int keyLength = backend.currentKeyLength();
    backend.delete(column, backend.currentKeyBytes(), keyLength);
  }

  private ByteArrayWriter encode(List<T> values) {
    ByteArrayWriter out = backend.valueBuffer();
    for (T value : values) {
      append(Objects.requireNonNull(value, "ListState does not hold null elements"), out);
    }
    return out;
  }

  private void append(T value, ByteArrayWriter out) {
    ByteArrayWriter element = backend.elementBuffer();
    codec.write(value, element);
    out.writeVarInt(element.position());
    out.writeBytes(element.array(), 0, element.position());
  }
}
