package dev.weir.query;

import dev.weir.api.KeyedStateStore;
import dev.weir.api.ListState;
import dev.weir.api.MapState;
import dev.weir.api.ReducingState;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@link KeyedStateStore} an operator's function gets: hands out the backend's own handles
 * unchanged and remembers each by its state name, so that a query can later read a state the
 * function named without knowing its codecs (the handles decode). Reads never write: a value is
 * read with {@code value()}/{@code get()}, a map with {@code entries()}.
 *
 * <p>Threading: owned by the task thread, like the backend whose handles it records; {@link #read}
 * reads for whatever key is current on that backend.
 */
public final class RecordingKeyedStateStore implements KeyedStateStore {
  private final KeyedStateStore delegate;
  // the reader of each state, by name, in the order the function obtained them; a name obtained
  // twice refers to the same stored state, so the later handle reads the same
  private final Map<String, Supplier<StateValue>> readers = new LinkedHashMap<>();

  public RecordingKeyedStateStore(KeyedStateStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public <T> ValueState<T> getState(StateDescriptor.Value<T> descriptor) {
    ValueState<T> state = delegate.getState(descriptor);
    readers.put(descriptor.name(), () -> scalar(state.value()));
    return state;
  }

  @Override
  public <T> ListState<T> getListState(StateDescriptor.ListOf<T> descriptor) {
    ListState<T> state = delegate.getListState(descriptor);
    readers.put(
        descriptor.name(),
        () -> {
          List<T> values = state.get();
          if (values.isEmpty()) {
            return null;
          }
          List<String> rendered = new ArrayList<>(values.size());
          values.forEach(v -> rendered.add(String.valueOf(v)));
          return new StateValue.Elements(rendered);
        });
    return state;
  }

  @Override
  public <K, V> MapState<K, V> getMapState(StateDescriptor.MapOf<K, V> descriptor) {
    MapState<K, V> state = delegate.getMapState(descriptor);
    readers.put(
        descriptor.name(),
        () -> {
          Map<String, String> rendered = new LinkedHashMap<>();
          for (Map.Entry<K, V> e : state.entries()) {
            rendered.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
          }
          return rendered.isEmpty() ? null : new StateValue.Entries(rendered);
        });
    return state;
  }

  @Override
  public <T> ReducingState<T> getReducingState(StateDescriptor.Reducing<T> descriptor) {
    ReducingState<T> state = delegate.getReducingState(descriptor);
    readers.put(descriptor.name(), () -> scalar(state.get()));
    return state;
  }

  private static StateValue scalar(Object value) {
    return value == null ? null : new StateValue.Scalar(String.valueOf(value));
  }

  /** The names of the states obtained so far, in the order they were first obtained. */
  public Set<String> names() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(readers.keySet()));
  }

  public boolean contains(String name) {
    return readers.containsKey(name);
  }

  /**
   * Reads state {@code name} for the backend's current key.
   *
   * @return the rendered value, or null when the key has none (an empty list or map counts as none,
   *     as the state API cannot tell them apart from absent)
   * @throws IllegalArgumentException when no state of that name was obtained
   */
  public StateValue read(String name) {
    Supplier<StateValue> reader = readers.get(name);
    if (reader == null) {
      throw new IllegalArgumentException("no keyed state named '" + name + "'");
    }
    return reader.get();
  }
}
