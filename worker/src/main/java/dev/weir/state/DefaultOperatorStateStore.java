package dev.weir.state;

import com.google.protobuf.ByteString;
import dev.weir.api.Codec;
import dev.weir.api.ListState;
import dev.weir.api.OperatorStateStore;
import dev.weir.api.Redistribution;
import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.proto.OperatorStateHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Operator state of one operator subtask: named lists, snapshotted inline into the checkpoint
 * metadata (they are small: offsets, pending file names).
 *
 * <p>Threading: owned by the task thread; {@link #snapshot()} copies into immutable handles.
 */
public final class DefaultOperatorStateStore implements OperatorStateStore {
  private final Map<String, List<ByteString>> restored;
  private final long restoredCheckpointId;
  private final Map<String, Entry<?>> states = new LinkedHashMap<>();

  /**
   * @param restored entries by state name, already redistributed for this subtask; empty if fresh
   * @param restoredCheckpointId the checkpoint they come from, -1 for a fresh start
   */
  public DefaultOperatorStateStore(
      Map<String, List<ByteString>> restored, long restoredCheckpointId) {
    this.restored = restored;
    this.restoredCheckpointId = restoredCheckpointId;
  }

  @Override
  public boolean isRestored() {
    return restoredCheckpointId >= 0;
  }

  @Override
  public OptionalLong restoredCheckpointId() {
    return restoredCheckpointId >= 0 ? OptionalLong.of(restoredCheckpointId) : OptionalLong.empty();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> ListState<T> getListState(String name, Codec<T> codec, Redistribution redistribution) {
    Entry<?> existing = states.get(name);
    if (existing != null) {
      return (ListState<T>) existing.list;
    }
    Entry<T> entry = new Entry<>(codec, redistribution);
    ByteArrayReader reader = new ByteArrayReader();
    for (ByteString bytes : restored.getOrDefault(name, List.of())) {
      byte[] array = bytes.toByteArray();
      entry.list.add(codec.read(reader.wrap(array, 0, array.length)));
    }
    states.put(name, entry);
    return entry.list;
  }

  /** Encodes every list as it is now. */
  public List<OperatorStateHandle> snapshot() {
    List<OperatorStateHandle> handles = new ArrayList<>();
    ByteArrayWriter writer = new ByteArrayWriter(64);
    states.forEach((name, entry) -> handles.add(entry.encode(name, writer)));
    return handles;
  }

  private static final class Entry<T> {
    private final Codec<T> codec;
    private final Redistribution redistribution;
    private final SimpleListState<T> list = new SimpleListState<>();

    Entry(Codec<T> codec, Redistribution redistribution) {
      this.codec = codec;
      this.redistribution = redistribution;
    }

    OperatorStateHandle encode(String name, ByteArrayWriter writer) {
      OperatorStateHandle.Builder handle =
          OperatorStateHandle.newBuilder()
              .setName(name)
              .setRedistribution(OperatorStateHandle.Redistribution.valueOf(redistribution.name()));
      for (T value : list.values) {
        writer.reset();
        codec.write(value, writer);
        handle.addEntries(ByteString.copyFrom(writer.array(), 0, writer.position()));
      }
      return handle.build();
    }
  }

  private static final class SimpleListState<T> implements ListState<T> {
    private final List<T> values = new ArrayList<>();

    @Override
    public List<T> get() {
      return List.copyOf(values);
    }

    @Override
    public void add(T value) {
      values.add(value);
    }

    @Override
    public void addAll(List<T> more) {
      values.addAll(more);
    }

    @Override
    public void update(List<T> replacement) {
      values.clear();
      values.addAll(replacement);
    }

    @Override
    public void clear() {
      values.clear();
    }
  }
}
