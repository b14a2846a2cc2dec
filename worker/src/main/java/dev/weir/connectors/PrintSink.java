package dev.weir.connectors;

import dev.weir.api.OperatorStateStore;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import java.io.PrintStream;

/** Prints every record to standard output, prefixed by the subtask. Not transactional. */
public final class PrintSink<T> implements Sink<T> {
  private final PrintStream out;
  private String prefix;

  public PrintSink() {
    this(System.out);
  }

  public PrintSink(PrintStream out) {
    this.out = out;
  }

  @Override
  public void open(RuntimeContext context, OperatorStateStore state) {
    prefix = context.subtaskIndex() + "> ";
  }

  @Override
  public void write(T record) {
    out.println(prefix + record);
  }
}
