package dev.weir.api;

/**
 * A stream of records. Each transformation takes a stable {@code uid} (the operator's identity in
 * snapshots). A stream feeds exactly one downstream transformation.
 */
public interface DataStream<T> {
  <R> DataStream<R> map(String uid, MapFunction<T, R> mapper, Codec<R> codec);

  <R> DataStream<R> flatMap(String uid, FlatMapFunction<T, R> mapper, Codec<R> codec);

  DataStream<T> filter(String uid, FilterFunction<T> predicate);

  /** Partitions the stream by key: records with equal keys go to the same subtask. */
  <K> KeyedStream<K, T> keyBy(KeySelector<T, K> keySelector, Codec<K> keyCodec);

  void sink(String uid, Sink<T> sink);
}
