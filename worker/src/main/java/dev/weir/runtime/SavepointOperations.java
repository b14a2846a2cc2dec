package dev.weir.runtime;

import dev.weir.checkpoint.CompletedCheckpoint;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Savepoints requested through the coordinator's API, by request id: a request id seen before
 * returns that operation and starts nothing, so a caller that retries (an operator restarted
 * mid-upgrade) never takes a second savepoint or stops the job twice.
 *
 * <p>It also knows which outcomes their callers have not fetched yet, so that a process ending with
 * its job (after a stop-with-savepoint) can keep its API up until the caller has the savepoint's
 * path ({@link #awaitOutcomesFetched}).
 *
 * <p>Threading: thread-safe; the operations are in a concurrent map, the set of outcomes not yet
 * fetched is guarded by this object's monitor.
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
  // request ids in progress, or finished and not yet fetched by a caller; guarded by this
  private final Set<String> awaitingPickup = new HashSet<>();

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
      return fetched(earlier);
    }
    synchronized (this) {
      awaitingPickup.add(id);
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
    return fetched(operations.get(id));
  }

  /**
   * The operation of a request id, or null when this coordinator never saw it. Returning a finished
   * operation counts as its caller having fetched the outcome.
   */
  public Operation get(String requestId) {
    Operation operation = operations.get(Objects.requireNonNull(requestId));
    return operation == null ? null : fetched(operation);
  }

  private Operation fetched(Operation operation) {
    if (operation.state() != State.IN_PROGRESS) {
      synchronized (this) {
        if (awaitingPickup.remove(operation.requestId())) {
          notifyAll();
        }
      }
    }
    return operation;
  }

  /**
   * Waits until every operation has finished and its outcome was fetched ({@link #get} or a
   * repeated {@link #trigger}), for at most {@code limit}.
   *
   * @return whether every outcome was fetched in time
   */
  public synchronized boolean awaitOutcomesFetched(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!awaitingPickup.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private static String messageOf(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
