package dev.weir.state;

/**
 * Reading or writing keyed state failed at run time: the RocksDB call failed or the reduce function
 * of a {@link dev.weir.api.ReducingState} threw. Unchecked because the state API is. Thrown on the
 * task thread.
 */
public class StateAccessException extends RuntimeException {
  public StateAccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
