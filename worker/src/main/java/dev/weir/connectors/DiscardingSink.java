package dev.weir.connectors;

import dev.weir.api.OperatorStateStore;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;

/** Drops every record (benchmarks). */
public final class DiscardingSink<T> implements Sink<T> {
  @Override
  public void open(RuntimeContext context, OperatorStateStore state) {}

  @Override
  public void write(T record) {}
}
