package dev.weir.graph;

import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.api.Collector;
import dev.weir.api.DataStream;
import dev.weir.api.FilterFunction;
import dev.weir.api.FlatMapFunction;
import dev.weir.api.KeyCount;
import dev.weir.api.KeySelector;
import dev.weir.api.KeyedProcessFunction;
import dev.weir.api.KeyedStateStore;
import dev.weir.api.KeyedStream;
import dev.weir.api.MapFunction;
import dev.weir.api.Pipeline;
import dev.weir.api.ReduceFunction;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import dev.weir.api.Source;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import java.util.ArrayList;
import java.util.List;

/** Collects what a job defines into a {@link JobGraph}. Linear pipelines: one source, one path. */
final class PipelineBuilder implements Pipeline {
  private final List<Stage> stages = new ArrayList<>();
  private List<OperatorNode> current;
  private Exchange currentInput;
  private boolean hasSource;
  private boolean ended;

  @Override
  public <T> DataStream<T> source(String uid, Source<T> source, Codec<T> codec) {
    if (hasSource) {
      throw new InvalidJobException("only one source per job is supported (second: '" + uid + "')");
    }
    hasSource = true;
    current = new ArrayList<>();
    current.add(new OperatorNode.SourceNode<>(requireUid(uid), source, codec));
    return new Stream<>(codec);
  }

  JobGraph build() {
    if (!ended) {
      throw new InvalidJobException("the pipeline does not end in a sink");
    }
    return new JobGraph(stages);
  }

  private static String requireUid(String uid) {
    if (uid == null || uid.isBlank()) {
      throw new InvalidJobException("every operator needs a non-blank uid");
    }
    return uid;
  }

  private final class Stream<T> implements DataStream<T> {
    private final Codec<T> codec;
    private boolean consumed;

    Stream(Codec<T> codec) {
      this.codec = codec;
    }

    private void consume() {
      if (consumed) {
        throw new InvalidJobException("a stream can feed only one transformation");
      }
      consumed = true;
    }

    @Override
    public <R> DataStream<R> map(String uid, MapFunction<T, R> mapper, Codec<R> codec) {
      consume();
      current.add(new OperatorNode.MapNode<>(requireUid(uid), mapper, codec));
      return new Stream<>(codec);
    }

    @Override
    public <R> DataStream<R> flatMap(String uid, FlatMapFunction<T, R> mapper, Codec<R> codec) {
      consume();
      current.add(new OperatorNode.FlatMapNode<>(requireUid(uid), mapper, codec));
      return new Stream<>(codec);
    }

    @Override
    public DataStream<T> filter(String uid, FilterFunction<T> predicate) {
      consume();
      current.add(new OperatorNode.FilterNode<>(requireUid(uid), predicate));
      return new Stream<>(codec);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> keySelector, Codec<K> keyCodec) {
      consume();
      Exchange exchange =
          new Exchange(
              (KeySelector<Object, Object>) (KeySelector<?, ?>) keySelector,
              (Codec<Object>) keyCodec,
              (Codec<Object>) codec);
      stages.add(new Stage(stages.size(), currentInput, current));
      current = new ArrayList<>();
      currentInput = exchange;
      return new Keyed<>(codec, keyCodec);
    }

    @Override
    public void sink(String uid, Sink<T> sink) {
      consume();
      current.add(new OperatorNode.SinkNode<>(requireUid(uid), sink));
      stages.add(new Stage(stages.size(), currentInput, current));
      ended = true;
    }
  }

  private final class Keyed<K, T> implements KeyedStream<K, T> {
    private final Codec<T> codec;
    private final Codec<K> keyCodec;
    private boolean consumed;

    Keyed(Codec<T> codec, Codec<K> keyCodec) {
      this.codec = codec;
      this.keyCodec = keyCodec;
    }

    @Override
    public <R> DataStream<R> process(
        String uid, KeyedProcessFunction<K, T, R> function, Codec<R> codec) {
      if (consumed) {
        throw new InvalidJobException("a keyed stream can feed only one transformation");
      }
      consumed = true;
      current.add(new OperatorNode.KeyedProcessNode<>(requireUid(uid), function, codec));
      return new Stream<>(codec);
    }

    @Override
    public DataStream<T> reduce(String uid, ReduceFunction<T> reducer) {
      return process(uid, new Reduce<>(reducer, codec), codec);
    }

    @Override
    public DataStream<KeyCount<K>> count(String uid) {
      return process(uid, new Count<>(), KeyCount.codec(keyCodec));
    }
  }

  /** Built-in keyed reduce: one value per key. */
  private static final class Reduce<K, T> implements KeyedProcessFunction<K, T, T> {
    private final ReduceFunction<T> reducer;
    private final Codec<T> codec;
    private ValueState<T> state;

    Reduce(ReduceFunction<T> reducer, Codec<T> codec) {
      this.reducer = reducer;
      this.codec = codec;
    }

    @Override
    public void open(RuntimeContext context, KeyedStateStore store) {
      state = store.getState(new StateDescriptor.Value<>("reduce", codec));
    }

    @Override
    public void process(K key, T value, Collector<T> out) throws Exception {
      T previous = state.value();
      T reduced = previous == null ? value : reducer.reduce(previous, value);
      state.update(reduced);
      out.collect(reduced);
    }
  }

  /** Built-in keyed count: one counter per key. */
  private static final class Count<K, T> implements KeyedProcessFunction<K, T, KeyCount<K>> {
    private ValueState<Long> state;

    @Override
    public void open(RuntimeContext context, KeyedStateStore store) {
      state = store.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    }

    @Override
    public void process(K key, T value, Collector<KeyCount<K>> out) {
      Long previous = state.value();
      long count = previous == null ? 1 : previous + 1;
      state.update(count);
      out.collect(new KeyCount<>(key, count));
    }
  }
}
