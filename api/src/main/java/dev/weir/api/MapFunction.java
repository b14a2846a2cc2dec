package dev.weir.api;

/** Transforms one record into one. */
@FunctionalInterface
public interface MapFunction<T, R> {
  R map(T value) throws Exception;
}
