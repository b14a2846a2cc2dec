package dev.weir.graph;

import dev.weir.api.Codec;
import dev.weir.api.FilterFunction;
import dev.weir.api.FlatMapFunction;
import dev.weir.api.KeyedProcessFunction;
import dev.weir.api.MapFunction;
import dev.weir.api.Sink;
import dev.weir.api.Source;

/** One operator of a job, as the job defined it. */
public sealed interface OperatorNode {
  /** The operator's stable id: snapshots map state to operators by it. */
  String uid();

  record SourceNode<T>(String uid, Source<T> source, Codec<T> codec) implements OperatorNode {}

  record MapNode<T, R>(String uid, MapFunction<T, R> mapper, Codec<R> codec)
      implements OperatorNode {}

  record FlatMapNode<T, R>(String uid, FlatMapFunction<T, R> mapper, Codec<R> codec)
      implements OperatorNode {}

  record FilterNode<T>(String uid, FilterFunction<T> predicate) implements OperatorNode {}

  /** Runs after a keyed {@link Exchange}; the exchange says how to find the key. */
  record KeyedProcessNode<K, I, O>(
      String uid, KeyedProcessFunction<K, I, O> function, Codec<O> codec) implements OperatorNode {}

  record SinkNode<T>(String uid, Sink<T> sink) implements OperatorNode {}
}
