package dev.weir.net;

import com.google.protobuf.ByteString;
import dev.weir.proto.runtime.Credit;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.InputChannel;
import dev.weir.runtime.io.InputGate;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The receiving end of a network channel: buffers that arrive on the gRPC stream are copied into
 * this channel's own buffers (as many as it grants credits) and delivered to the task's input gate;
 * every buffer the task recycles goes back to the sender as one credit.
 *
 * <p>Threading: the gRPC thread delivers; the task thread recycles; sends on the credit stream are
 * synchronized because both may send.
 */
final class RemoteInputChannel implements InputChannel {
  private final int index;
  private final InputGate gate;
  private final int credits;
  private final BlockingQueue<Buffer> free;
  private StreamObserver<Credit> creditStream;

  RemoteInputChannel(int index, InputGate gate, int credits, int bufferSize) {
    this.index = index;
    this.gate = gate;
    this.credits = credits;
    this.free = new ArrayBlockingQueue<>(credits);
    for (int i = 0; i < credits; i++) {
      free.add(new Buffer(bufferSize));
    }
  }

  /** The sender connected: grant the initial credits. */
  synchronized void attach(StreamObserver<Credit> stream) {
    creditStream = stream;
    stream.onNext(Credit.newBuilder().setBuffers(credits).build());
  }

  void onBuffer(ByteString bytes) {
    Buffer buffer = free.poll();
    if (buffer == null || bytes.size() > buffer.capacity()) {
      throw new IllegalStateException(
          "channel " + index + ": the sender sent more than its credit or an oversized buffer");
    }
    bytes.copyTo(buffer.data(), 0);
    buffer.length(bytes.size());
    gate.deliver(this, buffer);
  }

  void onEvent(ChannelEvent event) {
    gate.deliver(this, event);
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public void recycle(Buffer buffer) {
    free.offer(buffer);
    synchronized (this) {
      if (creditStream != null) {
        try {
          creditStream.onNext(Credit.newBuilder().setBuffers(1).build());
        } catch (RuntimeException closed) {
          // the sender is gone; the job fails over through its own channel
        }
      }
    }
  }

  synchronized void close() {
    if (creditStream != null) {
      try {
        creditStream.onCompleted();
      } catch (RuntimeException alreadyClosed) {
        // nothing to do
      }
      creditStream = null;
    }
  }
}
