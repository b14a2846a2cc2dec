package dev.weir.runtime.task;

/** A job's function threw; carries the operator's uid. */
public class UserFunctionException extends RuntimeException {
  public UserFunctionException(String uid, Throwable cause) {
    super("operator '" + uid + "' failed: " + cause, cause);
  }
}
