package dev.weir.api;

/** Transforms one record into zero or more. */
@FunctionalInterface
public interface FlatMapFunction<T, R> {
  void flatMap(T value, Collector<R> out) throws Exception;
}
