package dev.weir.runtime.task;

import dev.weir.api.Collector;
import dev.weir.graph.Stage;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.RecordWriter;
import java.util.concurrent.TimeUnit;

/**
 * Runs stage 0: pulls batches from the source and pushes them down the chain. Checkpoint triggers
 * run between two batches, so the source's position and the barrier agree exactly.
 */
public final class SourceTask extends Task {
  private final Stage stage;
  private final RecordWriter output;
  private boolean sourceFinished;
  private long records;

  /**
   * @param output the exchange writer, or null when the chain ends in a sink
   */
  public SourceTask(TaskContext context, Stage stage, RecordWriter output) {
    super(context);
    this.stage = stage;
    this.output = output;
  }

  @Override
  protected void initialize() throws Exception {
    writer = output;
    chain = new OperatorChain(context, stage, output);
  }

  /** Coordinator: take checkpoint {@code checkpointId} now. Any thread. */
  public void triggerCheckpoint(long checkpointId, long timestampMillis, boolean isFinal) {
    post(
        () -> {
          performCheckpoint(checkpointId, timestampMillis, isFinal, 0);
          if (isFinal) {
            if (writer != null) {
              writer.broadcast(new ChannelEvent.EndOfInput());
            }
            finishing = true;
          }
        });
  }

  @Override
  protected void wakeUp() {
    // the loop polls the mailbox between batches and waits on it when idle
  }

  @Override
  protected void loop() throws Exception {
    Collector<Object> head = counting(chain.head());
    while (!done) {
      checkCancelled();
      if (sourceFinished) {
        Runnable action = mailbox.poll(50, TimeUnit.MILLISECONDS);
        if (action != null) {
          action.run();
        }
        drainMailbox();
        continue;
      }
      drainMailbox();
      if (!chain.source().emitBatch(head)) {
        sourceFinished = true;
        if (writer != null) {
          writer.flush();
        }
        context.listener().sourceFinished(context.id());
      }
      publishRecords(records);
      if (writer != null) {
        writer.flushIfDue(System.nanoTime());
      }
    }
  }

  private Collector<Object> counting(Collector<Object> head) {
    return record -> {
      records++;
      head.collect(record);
    };
  }
}
