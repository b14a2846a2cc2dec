package dev.weir.connectors;

import dev.weir.api.OperatorStateStore;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands records to another sink at most {@code recordsPerSecond} per subtask, waiting on the task
 * thread when ahead of that pace: a deliberately slow sink, to put a job under backpressure in
 * tests and benchmarks. Optionally only the first {@code slowRecords} records of each run of the
 * subtask are slow (so that a bounded job can drain quickly at its end). Everything else is the
 * wrapped sink's.
 *
 * <p>Threading: the task thread, like every sink.
 */
public final class ThrottledSink<T> implements Sink<T> {
  private final Sink<T> sink;
  private final long nanosPerRecord;
  private final long slowRecords;
  private long start = Long.MIN_VALUE;
  private long written;

  public ThrottledSink(Sink<T> sink, long recordsPerSecond) {
    this(sink, recordsPerSecond, Long.MAX_VALUE);
  }

  /**
   * @param slowRecords how many records (from the subtask's start or restore) are paced; the rest
   *     pass at full speed
   */
  public ThrottledSink(Sink<T> sink, long recordsPerSecond, long slowRecords) {
    if (recordsPerSecond <= 0 || slowRecords < 0) {
      throw new IllegalArgumentException("recordsPerSecond must be > 0 and slowRecords >= 0");
    }
    this.sink = sink;
    this.nanosPerRecord = 1_000_000_000L / recordsPerSecond;
    this.slowRecords = slowRecords;
  }

  @Override
  public void open(RuntimeContext context, OperatorStateStore state) throws Exception {
    sink.open(context, state);
  }

  @Override
  public void write(T record) throws Exception {
    if (written >= slowRecords) {
      sink.write(record);
      return;
    }
    long now = System.nanoTime();
    if (start == Long.MIN_VALUE) {
      start = now;
    }
    long due = start + written * nanosPerRecord;
    if (due > now) {
      LockSupport.parkNanos(due - now); // an absolute schedule: an oversleep is caught up later
    } else if (now - due > 1_000_000_000L) {
      start = now - written * nanosPerRecord; // idle for a while: no burst to catch up
    }
    written++;
    sink.write(record);
  }

  @Override
  public void snapshotState(long checkpointId) throws Exception {
    sink.snapshotState(checkpointId);
  }

  @Override
  public void snapshotStateAsync(long checkpointId) throws Exception {
    sink.snapshotStateAsync(checkpointId);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    sink.notifyCheckpointComplete(checkpointId);
  }

  @Override
  public void close() throws Exception {
    sink.close();
  }
}
