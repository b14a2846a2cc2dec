package dev.weir.query;

import dev.weir.api.Codec;
import dev.weir.codec.ByteArrayReader;
import dev.weir.state.KeyedStateBackend;
import java.util.Objects;

/**
 * The keyed state of one subtask of one keyed operator as queries see it: the backend, the handles
 * the operator's function obtained from it (recorded by name), and the codec of its keys.
 *
 * <p>Threading: owned by the task thread, which also processes the operator's records; {@link
 * #answer} must run there (between two records), because it moves the backend's current key. That
 * is harmless: every record sets its own key before its function touches state.
 */
public final class QueryableOperatorState {
  private final String uid;
  private final KeyedStateBackend backend;
  private final RecordingKeyedStateStore states;
  private final Codec<Object> keyCodec;

  public QueryableOperatorState(
      String uid,
      KeyedStateBackend backend,
      RecordingKeyedStateStore states,
      Codec<Object> keyCodec) {
    this.uid = Objects.requireNonNull(uid, "uid");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.states = Objects.requireNonNull(states, "states");
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
  }

  public String uid() {
    return uid;
  }

  /** Looks the key up without changing any state. Task thread only. */
  public StateQueryResult answer(StateQuery query) {
    if (!states.contains(query.stateName())) {
      String known =
          states.names().isEmpty()
              ? "it has obtained no keyed state"
              : "its keyed states: " + String.join(", ", states.names());
      return new StateQueryResult.Rejected(
          StateQueryResult.Reason.UNKNOWN_STATE,
          "operator '" + uid + "' has no keyed state named '" + query.stateName() + "'; " + known);
    }
    if (!backend.keyGroupRange().contains(query.keyGroup())) {
      // the coordinator routes by the same math: a mismatch means a different parallelism
      return new StateQueryResult.Rejected(
          StateQueryResult.Reason.FAILED,
          "key group "
              + query.keyGroup()
              + " is not in "
              + backend.keyGroupRange()
              + " of this subtask of '"
              + uid
              + "'");
    }
    Object key;
    byte[] bytes = query.key();
    try {
      ByteArrayReader in = new ByteArrayReader(bytes, 0, bytes.length);
      key = keyCodec.read(in);
      if (in.remaining() != 0) {
        throw new IllegalArgumentException(in.remaining() + " bytes left over");
      }
    } catch (RuntimeException e) {
      return new StateQueryResult.Rejected(
          StateQueryResult.Reason.INVALID_KEY,
          "the key is not a key of operator '" + uid + "': " + e.getMessage());
    }
    try {
      backend.setCurrentKey(key, query.keyGroup());
      StateValue value = states.read(query.stateName());
      return value == null ? new StateQueryResult.NotFound() : new StateQueryResult.Found(value);
    } catch (RuntimeException e) {
      return new StateQueryResult.Rejected(
          StateQueryResult.Reason.FAILED,
          "reading state '" + query.stateName() + "' of operator '" + uid + "' failed: " + e);
    }
  }
}
