package dev.weir.runtime;

import dev.weir.checkpoint.CompletedCheckpoint;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Savepoints requested through the coordinator's API, by request id: a request id seen before
 * returns that operation and starts nothing, so a caller that retries (an operator restarted
 * mid-upgrade) never takes a second savepoint or stops the job twice. Thread-safe.
 */
public final class SavepointOperations {

  /** What became of one request. */
  public enum State {
    IN_PROGRESS,
    COMPLETED,
    FAILED
  }

  /**
   * One request and its outcome; immutable.
   *
   * @param path the savepoint's location when completed, else null
   * @param checkpointId the savepoint's id when completed, else -1
   * @param failure why it failed, else null
   * @param completionTimestampMillis 0 while in progress
   */
  public record Operation(
      String requestId,
      boolean stop,
      State state,
      String path,
      long checkpointId,
      String failure,
      long triggerTimestampMillis,
      long completionTimestampMillis) {}

  private final Function<Boolean, CompletableFuture<CompletedCheckpoint>> trigger;
  private final LongSupplier clock;
  private final Map<String, Operation> operations = new ConcurrentHashMap<>();

  /**
   * @param trigger takes a savepoint (argument: stop the job after it)
   * @param clock wall-clock milliseconds
   */
  public SavepointOperations(
      Function<Boolean, CompletableFuture<CompletedCheckpoint>> trigger, LongSupplier clock) {
    this.trigger = trigger;
    this.clock = clock;
  }

  /**
   * Starts a savepoint for {@code requestId} unless one was started for it already.
   *
   * @param requestId the caller's id; blank picks a fresh one
   * @return the operation as it is now (in progress, or the earlier request's outcome)
   */
  public Operation trigger(String requestId, boolean stop) {
    String id = requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId;
    Operation started =
        new Operation(id, stop, State.IN_PROGRESS, null, -1, null, clock.getAsLong(), 0);
    Operation earlier = operations.putIfAbsent(id, started);
    if (earlier != null) {
      return earlier;
    }
    CompletableFuture<CompletedCheckpoint> savepoint;
    try {
      savepoint = trigger.apply(stop);
    } catch (RuntimeException e) {
      savepoint = CompletableFuture.failedFuture(e);
    }
    savepoint.whenComplete(
        (completed, error) ->
            operations.put(
                id,
                error == null
                    ? new Operation(
                        id,
                        stop,
                        State.COMPLETED,
                        completed.path(),
                        completed.checkpointId(),
                        null,
                        started.triggerTimestampMillis(),
                        clock.getAsLong())
                    : new Operation(
                        id,
                        stop,
                        State.FAILED,
                        null,
                        -1,
                        messageOf(error),
                        started.triggerTimestampMillis(),
                        clock.getAsLong())));
    return operations.get(id);
  }

  /** The operation of a request id, or null when this coordinator never saw it. */
  public Operation get(String requestId) {
    return operations.get(Objects.requireNonNull(requestId));
  }

  private static String messageOf(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
