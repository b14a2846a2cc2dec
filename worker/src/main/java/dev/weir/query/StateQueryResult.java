package dev.weir.query;

import java.util.Objects;

/** The answer to a {@link StateQuery}: a value, no value for that key, or why there is none. */
public sealed interface StateQueryResult {

  /** The key has a value in the state. */
  record Found(StateValue value) implements StateQueryResult {
    public Found {
      Objects.requireNonNull(value, "value");
    }
  }

  /** The state exists but holds nothing for the key. */
  record NotFound() implements StateQueryResult {}

  /** The query could not be answered; {@code message} says why, for the person who asked. */
  record Rejected(Reason reason, String message) implements StateQueryResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Why a query was rejected; each maps to one HTTP status and one CLI exit code. */
  enum Reason {
    /** No operator with that uid, or it has no keyed state. */
    UNKNOWN_OPERATOR,
    /** The operator has no keyed state of that name. */
    UNKNOWN_STATE,
    /** The key cannot be parsed for the operator's key type. */
    INVALID_KEY,
    /** The job (or the task owning the key) is not running. */
    UNAVAILABLE,
    /** The owning task did not answer in time. */
    TIMED_OUT,
    /** Reading the state failed. */
    FAILED
  }
}
