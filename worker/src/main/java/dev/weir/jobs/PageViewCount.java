package dev.weir.jobs;

import dev.weir.api.Codecs;
import dev.weir.api.Collector;
import dev.weir.api.KeyedProcessFunction;
import dev.weir.api.KeyedStateStore;
import dev.weir.api.Pipeline;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import dev.weir.api.StateDescriptor;
import dev.weir.api.StreamJob;
import dev.weir.api.ValueState;
import dev.weir.connectors.ExactlyOnceFileSink;
import dev.weir.connectors.GeneratorSource;
import dev.weir.connectors.PrintSink;
import dev.weir.connectors.ThrottledSink;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The page-view count per {@code app_id} of the seed notes: a replayable generator of {@code
 * --events N} page views over {@code --keys K} apps (event {@code i} belongs to app {@code i % K}),
 * keyed by app, counted, every update emitted as {@code app,count} to the exactly-once file sink at
 * {@code --output} (a directory or {@code s3://bucket/prefix}; without it, printed). {@code
 * --sink-rate R} makes the sink take at most R records/s per subtask (for its first {@code
 * --sink-slow-records} records per run), which backpressures the job.
 *
 * <p>With exactly-once checkpoints the committed output has, for every app, exactly the counts
 * {@code 1, 2, ..., N/K} in order, whatever failed in between. {@code --inject-failures F} makes
 * the job throw in a random subtask at a random moment in each of its first F attempts.
 */
public final class PageViewCount implements StreamJob {

  static final class Options {
    @Option(names = "--events", description = "page views in all", defaultValue = "1000000")
    long events;

    @Option(names = "--keys", description = "number of app ids", defaultValue = "100")
    int keys;

    @Option(
        names = "--rate",
        description = "events/s per source subtask (0 = unlimited)",
        defaultValue = "0")
    long rate;

    @Option(names = "--inject-failures", description = "throw in F attempts", defaultValue = "0")
    int injectFailures;

    @Option(names = "--seed", description = "seed of the failure injection", defaultValue = "42")
    long seed;

    @Option(names = "--splits", description = "splits of the event log", defaultValue = "64")
    int splits;

    @Option(names = "--output", description = "directory or s3://bucket/prefix; print if absent")
    String output;

    @Option(
        names = "--sink-rate",
        description = "records/s the sink takes per subtask: a slow sink (0 = unlimited)",
        defaultValue = "0")
    long sinkRate;

    @Option(
        names = "--sink-slow-records",
        description = "with --sink-rate: only the first N records of each subtask run are slow",
        defaultValue = "" + Long.MAX_VALUE)
    long sinkSlowRecords;
  }

  @Override
  public void define(Pipeline pipeline, List<String> args) {
    Options o = CommandLine.populateCommand(new Options(), args.toArray(String[]::new));
    if (o.keys < 1 || o.events < 0 || o.sinkRate < 0 || o.sinkSlowRecords < 0) {
      throw new IllegalArgumentException("--keys must be >= 1, --events >= 0 and --sink-rate >= 0");
    }
    long perKey = o.events / o.keys;
    var counts =
        pipeline
            .source(
                "page-views",
                new GeneratorSource<>(o.events, o.splits, o.rate, i -> i),
                Codecs.LONG)
            .keyBy(i -> (int) (i % o.keys), Codecs.INT)
            .process(
                "count-per-app",
                new CountPerApp(o.injectFailures, o.seed, Math.max(1, o.events / 4)),
                Codecs.STRING);
    Sink<String> sink =
        o.output == null ? new PrintSink<>() : new ExactlyOnceFileSink<String>(o.output, l -> l);
    if (o.sinkRate > 0) {
      sink = new ThrottledSink<>(sink, o.sinkRate, o.sinkSlowRecords);
    }
    counts.sink(o.output == null ? "print" : "output", sink);
    if (perKey * o.keys != o.events) {
      // the exactly-once check expects whole counts per key; say so rather than surprise
      org.slf4j.LoggerFactory.getLogger(PageViewCount.class)
          .info("--events is not a multiple of --keys: the first apps get one more view");
    }
  }

  /** Counts views per app; optionally fails once in each of the first attempts. */
  static final class CountPerApp implements KeyedProcessFunction<Integer, Long, String> {
    private final int injectFailures;
    private final long seed;
    private final long spread;
    private ValueState<Long> count;
    private long failAfter = -1;
    private long seen;

    CountPerApp(int injectFailures, long seed, long spread) {
      this.injectFailures = injectFailures;
      this.seed = seed;
      this.spread = spread;
    }

    @Override
    public void open(RuntimeContext context, KeyedStateStore state) {
      count = state.getState(new StateDescriptor.Value<>("views", Codecs.LONG));
      int attempt = context.attempt();
      if (attempt < injectFailures) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + attempt);
        int victim = random.nextInt(context.parallelism());
        if (victim == context.subtaskIndex()) {
          long perSubtask = Math.max(2, spread / context.parallelism());
          failAfter = 1 + random.nextLong(perSubtask);
        }
      }
    }

    @Override
    public void process(Integer app, Long event, Collector<String> out) {
      if (failAfter > 0 && ++seen == failAfter) {
        throw new InjectedFailure("injected failure after " + seen + " records");
      }
      Long previous = count.value();
      long next = previous == null ? 1 : previous + 1;
      count.update(next);
      out.collect(app + "," + next);
    }
  }

  /** Thrown on purpose by {@code --inject-failures}. */
  static final class InjectedFailure extends RuntimeException {
    InjectedFailure(String message) {
      super(message);
    }
  }
}
