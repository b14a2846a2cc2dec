package dev.weir.api;

/** A stream partitioned by key; operators on it may hold keyed state. */
public interface KeyedStream<K, T> {
  <R> DataStream<R> process(String uid, KeyedProcessFunction<K, T, R> function, Codec<R> codec);

  /** Emits, for every record, the reduction of all records of its key so far. */
  DataStream<T> reduce(String uid, ReduceFunction<T> reducer);

  /** Emits, for every record, its key and the number of records of that key so far. */
  DataStream<KeyCount<K>> count(String uid);
}
