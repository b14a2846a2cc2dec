package dev.weir.api.connectors;

import dev.weir.api.Sink;
import java.io.PrintStream;
import java.util.Objects;
import java.util.function.Function;

/**
 * The built-in sinks. Each call builds a new {@link Sink} (use one per {@code DataStream.sink}
 * call); the runtime implements them, so a job compiled against the API alone uses them and its jar
 * does not contain them.
 */
public final class Sinks {
  private Sinks() {}

  /**
   * Writes every record as one line ({@code format}) to a directory or an S3 prefix with two-phase
   * commit: lines become visible as {@code part-<writer>-<checkpoint>-<subtask>} files when their
   * checkpoint completes, so with exactly-once checkpoints every record is in the output exactly
   * once, whatever failed in between.
   *
   * @param location a directory, {@code file:///dir} or {@code s3://bucket/prefix} (the endpoint of
   *     the job's storage or {@code WEIR_S3_ENDPOINT}, credentials from the environment)
   * @param format the line of a record, without a line break
   */
  public static <T> Sink<T> exactlyOnceFiles(String location, Function<T, String> format) {
    return BuiltInConnectors.provider()
        .exactlyOnceFiles(
            Objects.requireNonNull(location, "location"), Objects.requireNonNull(format, "format"));
  }

  /** Prints every record to standard output, prefixed by its subtask ({@code 1> record}). */
  public static <T> Sink<T> print() {
    return print(System.out);
  }

  /** Prints every record to {@code out}, prefixed by its subtask. Not transactional. */
  public static <T> Sink<T> print(PrintStream out) {
    return BuiltInConnectors.provider().print(Objects.requireNonNull(out, "out"));
  }

  /** Drops every record (benchmarks, tests). */
  public static <T> Sink<T> discarding() {
    return BuiltInConnectors.provider().discarding();
  }

  /**
   * Hands records to {@code sink} at most {@code recordsPerSecond} per subtask, waiting on the task
   * thread when ahead: a deliberately slow sink that puts a job under backpressure.
   */
  public static <T> Sink<T> throttled(Sink<T> sink, long recordsPerSecond) {
    return throttled(sink, recordsPerSecond, Long.MAX_VALUE);
  }

  /**
   * As {@link #throttled(Sink, long)}, for the first {@code slowRecords} records of each run of a
   * subtask only; the rest pass at full speed (so a bounded job drains quickly at its end).
   *
   * @throws IllegalArgumentException when the rate is not positive or slowRecords negative
   */
  public static <T> Sink<T> throttled(Sink<T> sink, long recordsPerSecond, long slowRecords) {
    return BuiltInConnectors.provider()
        .throttled(Objects.requireNonNull(sink, "sink"), recordsPerSecond, slowRecords);
  }
}
