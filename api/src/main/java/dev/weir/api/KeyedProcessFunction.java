package dev.weir.api;

/** Processes records of a keyed stream one at a time, with keyed state. */
public interface KeyedProcessFunction<K, I, O> {
  /** Called once per subtask before any record: obtain state handles here. */
  default void open(RuntimeContext context, KeyedStateStore state) throws Exception {}

  /** Called for every record; state handles refer to {@code key}. */
  void process(K key, I value, Collector<O> out) throws Exception;
}
