package dev.weir.api;

/** Keeps the records it accepts. */
@FunctionalInterface
public interface FilterFunction<T> {
  boolean test(T value) throws Exception;
}
