package dev.weir.state;

import dev.weir.api.ReduceFunction;
import java.util.Objects;

/**
 * Applies a user's {@link ReduceFunction} for a {@link dev.weir.api.ReducingState}, turning its
 * checked exceptions into {@link StateAccessException}. Stateless.
 */
public final class CheckedReduce {
  private CheckedReduce() {}

  public static <T> T apply(ReduceFunction<T> reducer, String stateName, T accumulated, T value) {
    T reduced;
    try {
      reduced = reducer.reduce(accumulated, value);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new StateAccessException("reduce function of state '" + stateName + "' failed", e);
    }
    return Objects.requireNonNull(
        reduced, () -> "reduce function of state '" + stateName + "' returned null");
  }
}
