package dev.weir.query;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One key's value of a keyed state as a query answers it: rendered to text on the task that owns
 * the state, so that it can cross the wire without the state's codecs. Elements and entries are
 * rendered with {@code toString}.
 */
public sealed interface StateValue {

  /** A {@code ValueState} or {@code ReducingState} value. */
  record Scalar(String text) implements StateValue {
    public Scalar {
      Objects.requireNonNull(text, "text");
    }
  }

  /** The elements of a {@code ListState}, in their order. */
  record Elements(List<String> values) implements StateValue {
    public Elements {
      values = List.copyOf(values);
    }
  }

  /**
   * The entries of a {@code MapState}, in the order the state gave them (unspecified). Two keys
   * rendered to the same text keep the later entry.
   */
  record Entries(Map<String, String> entries) implements StateValue {
    public Entries {
      // copyOf would lose the order; the map handed over is not kept by anyone else
      entries = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entries));
    }
  }
}
