package dev.weir.connectors;

import dev.weir.api.Sink;
import dev.weir.api.Source;
import dev.weir.api.connectors.spi.ConnectorProvider;
import java.io.PrintStream;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Binds the API's {@code Sources} and {@code Sinks} to this package's implementations; registered
 * in {@code META-INF/services}. Stateless, so any thread.
 */
public final class BuiltInConnectorProvider implements ConnectorProvider {

  @Override
  public <T> Source<T> generator(
      long events, int splits, long ratePerSubtask, LongFunction<T> recordOf) {
    return new GeneratorSource<>(events, splits, ratePerSubtask, recordOf);
  }

  @Override
  public Source<String> lines(String file) {
    return new LineFileSource(file);
  }

  @Override
  public <T> Sink<T> exactlyOnceFiles(String location, Function<T, String> format) {
    return new ExactlyOnceFileSink<>(location, format);
  }

  @Override
  public <T> Sink<T> print(PrintStream out) {
    return new PrintSink<>(out);
  }

  @Override
  public <T> Sink<T> discarding() {
    return new DiscardingSink<>();
  }

  @Override
  public <T> Sink<T> throttled(Sink<T> sink, long recordsPerSecond, long slowRecords) {
    return new ThrottledSink<>(sink, recordsPerSecond, slowRecords);
  }
}
