package dev.weir.api.connectors;

import dev.weir.api.Source;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * The built-in sources. Each call builds a new {@link Source} (use one per {@code Pipeline.source}
 * call); the runtime implements them, so a job compiled against the API alone uses them and its jar
 * does not contain them.
 */
public final class Sources {
  private Sources() {}

  /**
   * A deterministic, replayable source of {@code events} records: record {@code i} is {@code
   * recordOf.apply(i)}. The indices are cut into fixed splits (split {@code j} holds every {@code
   * i} with {@code i % splits == j}), like the partitions of a log; each split's position is
   * operator state, split evenly among the subtasks on restore, so after a failure or a change of
   * parallelism exactly the same records are replayed.
   *
   * @param events how many records in all; {@link Long#MAX_VALUE} for an unbounded source
   */
  public static <T> Generator<T> generator(long events, LongFunction<T> recordOf) {
    return new Generator<>(events, Objects.requireNonNull(recordOf, "recordOf"));
  }

  /**
   * The lines of one local file (UTF-8, without their {@code \n}). The position is operator state,
   * so a restore resumes after the last line of the checkpoint. Subtask 0 reads the file; the other
   * subtasks end at once.
   */
  public static Source<String> lines(String file) {
    return BuiltInConnectors.provider().lines(Objects.requireNonNull(file, "file"));
  }

  /** Options of {@link #generator}; {@link #build()} makes the source. */
  public static final class Generator<T> {
    private final long events;
    private final LongFunction<T> recordOf;
    private int splits = 64;
    private long ratePerSubtask;

    private Generator(long events, LongFunction<T> recordOf) {
      this.events = events;
      this.recordOf = recordOf;
    }

    /**
     * The number of splits (default 64): at most this many subtasks read, and it cannot change
     * across restores of the job's state.
     */
    public Generator<T> splits(int splits) {
      this.splits = splits;
      return this;
    }

    /** At most this many records per second per subtask; 0 (the default) for as fast as it can. */
    public Generator<T> ratePerSubtask(long recordsPerSecond) {
      this.ratePerSubtask = recordsPerSecond;
      return this;
    }

    /**
     * @throws IllegalArgumentException when events or the rate are negative or splits below 1
     */
    public Source<T> build() {
      return BuiltInConnectors.provider().generator(events, splits, ratePerSubtask, recordOf);
    }
  }
}
