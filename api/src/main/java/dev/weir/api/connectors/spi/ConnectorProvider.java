package dev.weir.api.connectors.spi;

import dev.weir.api.Sink;
import dev.weir.api.Source;
import java.io.PrintStream;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Implemented by the Weir runtime, not by job authors: makes the built-in connectors that {@link
 * dev.weir.api.connectors.Sources} and {@link dev.weir.api.connectors.Sinks} hand out. Found with
 * {@link java.util.ServiceLoader} in the class loader of the API (the runtime's: the API is always
 * loaded parent-first), so a job's jar can neither replace it nor needs to know it. It grows with
 * every connector; job code calls {@code Sources} and {@code Sinks} instead.
 *
 * <p>Every method only builds the connector (no I/O); it opens on its task thread, as every source
 * and sink does. Implementations MUST be thread-safe and stateless.
 */
public interface ConnectorProvider {
  /** See {@link dev.weir.api.connectors.Sources#generator}. */
  <T> Source<T> generator(long events, int splits, long ratePerSubtask, LongFunction<T> recordOf);

  /** See {@link dev.weir.api.connectors.Sources#lines}. */
  Source<String> lines(String file);

  /** See {@link dev.weir.api.connectors.Sinks#exactlyOnceFiles}. */
  <T> Sink<T> exactlyOnceFiles(String location, Function<T, String> format);

  /** See {@link dev.weir.api.connectors.Sinks#print(PrintStream)}. */
  <T> Sink<T> print(PrintStream out);

  /** See {@link dev.weir.api.connectors.Sinks#discarding}. */
  <T> Sink<T> discarding();

  /** See {@link dev.weir.api.connectors.Sinks#throttled(Sink, long, long)}. */
  <T> Sink<T> throttled(Sink<T> sink, long recordsPerSecond, long slowRecords);
}
