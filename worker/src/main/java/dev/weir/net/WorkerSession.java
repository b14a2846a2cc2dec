package dev.weir.net;

import dev.weir.proto.runtime.CoordinatorMessage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The coordinator's side of one connected worker: its control stream and when it last spoke. Sends
 * are synchronized (gRPC streams are not thread-safe); the rest is read by the registry.
 */
final class WorkerSession {
  final int index;
  final String dataAddress;
  private final StreamObserver<CoordinatorMessage> out;
  private volatile long lastHeartbeatNanos = System.nanoTime();
  private volatile long sourceRecords;
  private volatile int heartbeatAttempt = -1;
  private volatile boolean closed;

  WorkerSession(int index, String dataAddress, StreamObserver<CoordinatorMessage> out) {
    this.index = index;
    this.dataAddress = dataAddress;
    this.out = out;
  }

  synchronized void send(CoordinatorMessage message) {
    if (closed) {
      return;
    }
    try {
      out.onNext(message);
    } catch (RuntimeException e) {
      closed = true; // the stream is gone; the registry learns it from the stream's own callback
    }
  }

  void heartbeat(int attempt, long records) {
    lastHeartbeatNanos = System.nanoTime();
    sourceRecords(attempt, records);
  }

  /**
   * A count of the source's records in {@code attempt}, from a heartbeat or a task event. Counts
   * only grow within an attempt, so a heartbeat built before a task event but read after it cannot
   * take the count back.
   */
  synchronized void sourceRecords(int attempt, long records) {
    if (attempt != heartbeatAttempt) {
      heartbeatAttempt = attempt;
      sourceRecords = records;
    } else if (records > sourceRecords) {
      sourceRecords = records;
    }
  }

  long lastHeartbeatNanos() {
    return lastHeartbeatNanos;
  }

  long sourceRecords(int attempt) {
    return heartbeatAttempt == attempt ? sourceRecords : 0;
  }

  boolean isClosed() {
    return closed;
  }

  /** Ends the stream from this side (heartbeat timeout, replaced by a newer connection). */
  synchronized void close(String why) {
    if (!closed) {
      closed = true;
      try {
        out.onError(Status.UNAVAILABLE.withDescription(why).asRuntimeException());
      } catch (RuntimeException alreadyClosed) {
        // nothing left to close
      }
    }
  }
}
