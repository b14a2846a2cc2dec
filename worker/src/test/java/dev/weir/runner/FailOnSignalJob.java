package dev.weir.runner;

import dev.weir.api.Codecs;
import dev.weir.api.Collector;
import dev.weir.api.KeyedProcessFunction;
import dev.weir.api.KeyedStateStore;
import dev.weir.api.Pipeline;
import dev.weir.api.RuntimeContext;
import dev.weir.api.StateDescriptor;
import dev.weir.api.StreamJob;
import dev.weir.api.ValueState;
import dev.weir.connectors.ExactlyOnceFileSink;
import dev.weir.connectors.GeneratorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A test job like PageViewCount that fails exactly when the test says so: args {@code events keys
 * rate signalFile output [openSignalFile]}. When {@code signalFile} exists, the keyed function
 * deletes it and throws, so a test can first arrange storage (corrupt a checkpoint) and then cause
 * the restore. When {@code openSignalFile} exists when a keyed function opens (after its state was
 * restored), it deletes it and throws from {@code open}.
 */
public final class FailOnSignalJob implements StreamJob {

  @Override
  public void define(Pipeline pipeline, List<String> args) {
    long events = Long.parseLong(args.get(0));
    int keys = Integer.parseInt(args.get(1));
    long rate = Long.parseLong(args.get(2));
    Path signal = Path.of(args.get(3));
    Path openSignal = args.size() > 5 ? Path.of(args.get(5)) : null;
    pipeline
        .source("page-views", new GeneratorSource<>(events, 16, rate, i -> i), Codecs.LONG)
        .keyBy(i -> (int) (i % keys), Codecs.INT)
        .process("count", new CountUntilSignal(signal, openSignal), Codecs.STRING)
        .sink("output", new ExactlyOnceFileSink<String>(args.get(4), s -> s));
  }

  static final class CountUntilSignal implements KeyedProcessFunction<Integer, Long, String> {
    private final Path signal;
    private final Path openSignal;
    private ValueState<Long> count;
    private long seen;

    CountUntilSignal(Path signal, Path openSignal) {
      this.signal = signal;
      this.openSignal = openSignal;
    }

    @Override
    public void open(RuntimeContext context, KeyedStateStore state) throws Exception {
      if (openSignal != null && Files.deleteIfExists(openSignal)) {
        throw new IllegalStateException("open failure requested by the test");
      }
      count = state.getState(new StateDescriptor.Value<>("views", Codecs.LONG));
    }

    @Override
    public void process(Integer key, Long value, Collector<String> out) throws Exception {
      if (++seen % 50 == 0 && Files.deleteIfExists(signal)) {
        throw new IllegalStateException("failure requested by the test");
      }
      Long previous = count.value();
      long next = previous == null ? 1 : previous + 1;
      count.update(next);
      out.collect(key + "," + next);
    }
  }
}
