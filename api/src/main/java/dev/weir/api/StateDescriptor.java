package dev.weir.api;

import java.util.Objects;

/**
 * Names a piece of state and how to encode it. The name identifies the state inside its operator
 * across checkpoints, savepoints and job versions: keep it stable.
 */
public sealed interface StateDescriptor
    permits StateDescriptor.Value,
        StateDescriptor.ListOf,
        StateDescriptor.MapOf,
        StateDescriptor.Reducing {

  String name();

  /** {@link ValueState}. */
  record Value<T>(String name, Codec<T> codec) implements StateDescriptor {
    public Value {
      requireName(name);
      Objects.requireNonNull(codec, "codec");
    }
  }

  /** {@link ListState}. */
  record ListOf<T>(String name, Codec<T> codec) implements StateDescriptor {
    public ListOf {
      requireName(name);
      Objects.requireNonNull(codec, "codec");
    }
  }

  /** {@link MapState}. */
  record MapOf<K, V>(String name, Codec<K> keyCodec, Codec<V> valueCodec)
      implements StateDescriptor {
    public MapOf {
      requireName(name);
      Objects.requireNonNull(keyCodec, "keyCodec");
      Objects.requireNonNull(valueCodec, "valueCodec");
    }
  }

  /** {@link ReducingState}. */
  record Reducing<T>(String name, ReduceFunction<T> reducer, Codec<T> codec)
      implements StateDescriptor {
    public Reducing {
      requireName(name);
      Objects.requireNonNull(reducer, "reducer");
      Objects.requireNonNull(codec, "codec");
    }
  }

  private static void requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("state name must not be blank");
    }
  }
}
