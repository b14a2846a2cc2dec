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
import dev.weir.api.connectors.Sinks;
import dev.weir.api.connectors.Sources;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

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

  private static final Set<String> OPTIONS =
      Set.of(
          "--events",
          "--keys",
          "--rate",
          "--inject-failures",
          "--seed",
          "--splits",
          "--output",
          "--sink-rate",
          "--sink-slow-records");

  @Override
  public void define(Pipeline pipeline, List<String> args) {
    JobArguments a = JobArguments.parse(args, OPTIONS, Set.of());
    long events = a.longValue("--events", 1_000_000); // page views in all
    int keys = a.intValue("--keys", 100); // number of app ids
    long rate = a.longValue("--rate", 0); // events/s per source subtask (0 = unlimited)
    int injectFailures = a.intValue("--inject-failures", 0); // throw in F attempts
    long seed = a.longValue("--seed", 42); // seed of the failure injection
    int splits = a.intValue("--splits", 64); // splits of the event log
    String output = a.string("--output"); // directory or s3://bucket/prefix; print if absent
    long sinkRate = a.longValue("--sink-rate", 0); // records/s per sink subtask (0 = unlimited)
    // with --sink-rate: only the first N records of each subtask run are slow
    long sinkSlowRecords = a.longValue("--sink-slow-records", Long.MAX_VALUE);
    if (keys < 1 || events < 0 || sinkRate < 0 || sinkSlowRecords < 0) {
      throw new IllegalArgumentException("--keys must be >= 1, --events >= 0 and --sink-rate >= 0");
    }
    long perKey = events / keys;
    var counts =
        pipeline
            .source(
                "page-views",
                Sources.generator(events, i -> i).splits(splits).ratePerSubtask(rate).build(),
                Codecs.LONG)
            .keyBy(i -> (int) (i % keys), Codecs.INT)
            .process(
                "count-per-app",
                new CountPerApp(injectFailures, seed, Math.max(1, events / 4)),
                Codecs.STRING);
    Sink<String> sink =
        output == null ? Sinks.print() : Sinks.<String>exactlyOnceFiles(output, l -> l);
    if (sinkRate > 0) {
      sink = Sinks.throttled(sink, sinkRate, sinkSlowRecords);
    }
    counts.sink(output == null ? "print" : "output", sink);
    if (perKey * keys != events) {
      // the exactly-once check expects whole counts per key; say so rather than surprise
      System.getLogger(PageViewCount.class.getName())
          .log(
              System.Logger.Level.INFO,
              "--events is not a multiple of --keys: the first apps get one more view");
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
