package dev.weir.net;

import com.google.protobuf.ByteString;
import dev.weir.proto.runtime.Barrier;
import dev.weir.proto.runtime.ChannelHeader;
import dev.weir.proto.runtime.Credit;
import dev.weir.proto.runtime.DataGrpc;
import dev.weir.proto.runtime.DataMessage;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.OutputChannel;
import dev.weir.state.SnapshotType;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The sending end of a network channel: one gRPC stream to the receiving worker. The receiver
 * grants credits (one per buffer it will accept); {@link #requestBuffer()} waits for one, so a slow
 * receiver backpressures this sender across the network. A broken stream fails the sending task.
 *
 * <p>Threading: the sending task's thread sends; gRPC threads add credits.
 */
final class RemoteOutputChannel implements OutputChannel {
  private final Semaphore credits = new Semaphore(0);
  private final Buffer buffer;
  private final StreamObserver<DataMessage> stream;
  private final String peer;
  private volatile Throwable broken;

  RemoteOutputChannel(ManagedChannel connection, String peer, ChannelKey key, int bufferSize) {
    this.peer = peer;
    this.buffer = new Buffer(bufferSize);
    this.stream =
        DataGrpc.newStub(connection)
            .transfer(
                new StreamObserver<>() {
                  @Override
                  public void onNext(Credit credit) {
                    credits.release(credit.getBuffers());
                  }

                  @Override
                  public void onError(Throwable t) {
                    broken = t;
                    credits.release(Integer.MAX_VALUE / 2);
                  }

                  @Override
                  public void onCompleted() {}
                });
    stream.onNext(
        DataMessage.newBuilder()
            .setHeader(
                ChannelHeader.newBuilder()
                    .setDeploymentId(key.deploymentId())
                    .setStage(key.stage())
                    .setSender(key.sender())
                    .setReceiver(key.receiver()))
            .build());
  }

  private void checkBroken() {
    Throwable cause = broken;
    if (cause != null) {
      throw new ChannelBrokenException("data channel to " + peer + " broke: " + cause, cause);
    }
  }

  @Override
  public Buffer requestBuffer() throws InterruptedException {
    credits.acquire();
    checkBroken();
    buffer.length(0);
    return buffer;
  }

  @Override
  public boolean awaitCredit(long nanos) throws InterruptedException {
    if (credits.availablePermits() > 0) {
      checkBroken();
      return true;
    }
    if (credits.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
      credits.release(); // only looking: the credit stays for requestBuffer
      checkBroken();
      return true;
    }
    return false;
  }

  @Override
  public void send(Buffer filled) {
    checkBroken();
    stream.onNext(
        DataMessage.newBuilder()
            .setBuffer(ByteString.copyFrom(filled.data(), 0, filled.length()))
            .build());
  }

  @Override
  public void send(ChannelEvent event) {
    checkBroken();
    DataMessage.Builder message = DataMessage.newBuilder();
    if (event instanceof ChannelEvent.CheckpointBarrier barrier) {
      var b = barrier.barrier();
      message.setBarrier(
          Barrier.newBuilder()
              .setCheckpointId(b.checkpointId())
              .setTimestampMs(b.timestampMillis())
              .setIsFinal(b.isFinal())
              .setSavepoint(b.type() == SnapshotType.SAVEPOINT));
    } else if (event instanceof ChannelEvent.CancelCheckpoint c) {
      message.setCancelCheckpoint(c.checkpointId());
    } else {
      message.setEndOfInput(true);
    }
    stream.onNext(message.build());
  }

  @Override
  public void release(Buffer unused) {
    credits.release();
  }

  @Override
  public void close() {
    try {
      stream.onCompleted();
    } catch (RuntimeException alreadyBroken) {
      // nothing left to close
    }
  }
}
