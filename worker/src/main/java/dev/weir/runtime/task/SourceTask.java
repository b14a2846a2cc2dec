package dev.weir.runtime.task;

import dev.weir.api.Collector;
import dev.weir.checkpoint.barrier.Barrier;
import dev.weir.graph.Stage;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.state.SnapshotType;
import java.util.concurrent.TimeUnit;

/**
 * Runs stage 0: pulls batches from the source and pushes them down the chain. Checkpoint triggers
 * run between two batches, so the source's position and the barrier agree exactly.
 *
 * <p>With unaligned checkpoints a batch starts only once every output channel has credit: a task
 * blocked waiting for credit in the middle of a batch could not run a trigger, and under
 * backpressure that wait is what would delay the checkpoint. While it waits for credit it keeps
 * running its mailbox (triggers, notifications).
 */
public final class SourceTask extends Task {
  /** Longest wait for credit before the mailbox is checked again. */
  private static final long CREDIT_WAIT_NANOS = 1_000_000L;

  private final Stage stage;
  private boolean sourceFinished;
  // a stop-with-savepoint barrier went out: emit nothing until it completes (then end) or aborts
  private boolean stopping;
  private long records;
  private final boolean waitForCredit;

  /**
   * @param output the exchange writer, or null when the chain ends in a sink
   */
  public SourceTask(TaskContext context, Stage stage, RecordWriter output) {
    super(context, output, false);
    this.stage = stage;
    this.waitForCredit = context.unaligned() && output != null;
  }

  @Override
  protected void initialize() throws Exception {
    chain = new OperatorChain(context, stage, writer);
    checkpoints.restore(chain); // a source has no input; it may have output to send again
  }

  /**
   * Coordinator: take checkpoint {@code checkpointId} now. A final checkpoint of an exhausted
   * source ends its output at once; of a source with more input it is a stop-with-savepoint: the
   * source stops emitting, ends its output when the checkpoint completes and resumes if it is
   * aborted. Any thread.
   */
  public void triggerCheckpoint(
      long checkpointId, long timestampMillis, boolean isFinal, SnapshotType type) {
    Barrier barrier = new Barrier(checkpointId, timestampMillis, type, isFinal);
    post(
        () -> {
          if (!checkpoints.checkpointState(barrier, 0, context.unaligned()) || !isFinal) {
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
  protected void afterCheckpointComplete(long checkpointId) {
    if (stopping && !checkpoints.awaitsFinalCheckpoint()) {
      stopping = false;
      endOutput();
    }
  }

  @Override
  protected void finalCheckpointAborted() {
    stopping = false; // the stop-with-savepoint failed: the job goes on
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
      if (waitForCredit && !writer.awaitAvailable(CREDIT_WAIT_NANOS)) {
        writer.flushIfDue(System.nanoTime());
        continue; // backpressured: look at the mailbox again
      }
      if (!chain.source().emitBatch(head)) {
        sourceFinished = true;
        if (writer != null) {
          writer.flush();
        }
        publishRecords(records); // before the listener hears of it: the count is final
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
