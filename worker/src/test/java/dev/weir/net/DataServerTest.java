package dev.weir.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.weir.proto.runtime.Barrier;
import dev.weir.proto.runtime.ChannelHeader;
import dev.weir.proto.runtime.Credit;
import dev.weir.proto.runtime.DataGrpc;
import dev.weir.proto.runtime.DataMessage;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.InputGate;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The data server over a real gRPC connection on loopback. */
class DataServerTest {
  private final DataServer server;
  private final ManagedChannel connection;

  DataServerTest() throws Exception {
    server = new DataServer("127.0.0.1", 0);
    connection = NettyChannelBuilder.forTarget("127.0.0.1:" + server.port()).usePlaintext().build();
  }

  @AfterEach
  void close() {
    connection.shutdownNow();
    server.close();
  }

  @Test
  void whatAStreamSendsBeforeItsChannelIsRegisteredIsDeliveredInOrderOnceItIs() throws Exception {
    ChannelKey key = new ChannelKey(7, 1, 0, 1);
    AtomicInteger granted = new AtomicInteger();
    StreamObserver<DataMessage> stream =
        DataGrpc.newStub(connection)
            .transfer(
                new StreamObserver<>() {
                  @Override
                  public void onNext(Credit credit) {
                    granted.addAndGet(credit.getBuffers());
                  }

                  @Override
                  public void onError(Throwable t) {}

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
    for (String payload : new String[] {"first", "second"}) {
      stream.onNext(
          DataMessage.newBuilder()
              .setBuffer(ByteString.copyFrom(payload, StandardCharsets.UTF_8))
              .build());
    }
    stream.onNext(
        DataMessage.newBuilder()
            .setBarrier(Barrier.newBuilder().setCheckpointId(3).setTimestampMs(1))
            .build());

    InputGate gate = new InputGate(1);
    // nothing can arrive at a gate no channel is registered for; register after the sends
    assertThat(gate.poll(TimeUnit.MILLISECONDS.toNanos(200))).isNull();
    server.register(key, new RemoteInputChannel(0, gate, 4, 64));

    assertThat(text(gate.poll(TimeUnit.SECONDS.toNanos(10)))).isEqualTo("first");
    assertThat(text(gate.poll(TimeUnit.SECONDS.toNanos(10)))).isEqualTo("second");
    InputGate.Delivery barrier = gate.poll(TimeUnit.SECONDS.toNanos(10));
    assertThat(barrier.payload())
        .isInstanceOfSatisfying(
            ChannelEvent.CheckpointBarrier.class, b -> assertThat(b.checkpointId()).isEqualTo(3));
    // the initial credits, granted once the stream is attached to the channel
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(granted).hasValue(4));
    stream.onCompleted();
  }

  private static String text(InputGate.Delivery delivery) {
    Buffer buffer = (Buffer) delivery.payload();
    return new String(buffer.data(), 0, buffer.length(), StandardCharsets.UTF_8);
  }
}
