package dev.weir.state;

import dev.weir.api.StateDescriptor;

/**
 * The shape of a piece of keyed state, recorded in snapshots so that a state restored under the
 * same name but a different shape fails loudly instead of decoding garbage. Immutable.
 */
public enum StateKind {
  VALUE(1),
  LIST(2),
  MAP(3),
  REDUCING(4);

  private final byte code;

  StateKind(int code) {
    this.code = (byte) code;
  }

  /** Stored in snapshot files and RocksDB metadata: never renumber. */
  public byte code() {
    return code;
  }

  public static StateKind of(StateDescriptor descriptor) {
    if (descriptor instanceof StateDescriptor.Value<?>) {
      return VALUE;
    } else if (descriptor instanceof StateDescriptor.ListOf<?>) {
      return LIST;
    } else if (descriptor instanceof StateDescriptor.MapOf<?, ?>) {
      return MAP;
    } else {
      return REDUCING;
    }
  }

  /** The kind with this code, or null when the code is unknown (a corrupt or newer snapshot). */
  public static StateKind ofCode(int code) {
    for (StateKind kind : values()) {
      if (kind.code == code) {
        return kind;
      }
    }
    return null;
  }

  /** Throws when a state is registered under a name that was restored with another kind. */
  public static void requireSame(String stateName, StateKind registered, StateKind existing) {
    if (registered != existing) {
      throw new IllegalStateException(
          "state '"
              + stateName
              + "' is registered as "
              + registered
              + " state but exists as "
              + existing
              + " state");
    }
  }
}
