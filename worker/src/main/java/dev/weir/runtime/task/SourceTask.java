package dev.weir.runtime.task;

import dev.weir.api.Collector;
import dev.weir.graph.Stage;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.state.SnapshotType;
import java.util.concurrent.TimeUnit;

/**
 * Runs stage 0: pulls batches from the source and pushes them down the chain. Checkpoint triggers
 * run between two batches, so the source's position and the barrier agree exactly.
 */
public final class SourceTask extends Task {
  private final Stage stage;
  private final RecordWriter output;
  private boolean sourceFinished;
  // a stop-with-savepoint barrier went out: emit nothing until it completes (then end) or aborts
  private boolean stopping;
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

  /**
   * Coordinator: take checkpoint {@code checkpointId} now. A final checkpoint of an exhausted
   * source ends its output at once; of a source with more input it is a stop-with-savepoint: the
   * source stops emitting, ends its output when the checkpoint completes and resumes if it is
   * aborted. Any thread.
   */
  public void triggerCheckpoint(
      long checkpointId, long timestampMillis, boolean isFinal, SnapshotType type) {
    post(
        () -> {
          if (!performCheckpoint(checkpointId, timestampMillis, isFinal, type, 0) || !isFinal) {
            return;
          }
          if (sourceFinished) {
            endOutput();
          } else {
            stopping = true;
          }
        });
  }

  private void endOutput() {
    if (writer != null) {
      writer.broadcast(new ChannelEvent.EndOfInput());
    }
    finishing = true;
  }

  @Override
  protected void beforeCheckpointComplete(long checkpointId) {
    if (stopping && checkpointId >= finalCheckpointId) {
      stopping = false;
      endOutput();
    }
  }

  @Override
  protected void onCheckpointAborted(long checkpointId) {
    if (stopping && checkpointId == finalCheckpointId) {
      stopping = false; // the stop-with-savepoint failed: the job goes on
      finalCheckpointId = Long.MAX_VALUE;
    }
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
      if (sourceFinished || stopping) {
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
