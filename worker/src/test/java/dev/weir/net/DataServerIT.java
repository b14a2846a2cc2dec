package dev.weir.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.checkpoint.barrier.Barrier;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.InputGate;
import dev.weir.state.SnapshotType;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The data server and a remote output channel over a real gRPC connection on loopback. */
class DataServerIT {
  private static final long WAIT = TimeUnit.SECONDS.toNanos(10);

  // as in a worker: the server and the connection to it on the one transport thread
  private final WorkerTransport transport = new WorkerTransport();
  private final DataServer server;
  private final ManagedChannel connection;

  DataServerIT() throws Exception {
    server = new DataServer(transport, "127.0.0.1", 0);
    connection = transport.connection("127.0.0.1:" + server.port()).build();
  }

  @AfterEach
  void close() {
    connection.shutdownNow();
    server.close();
    transport.close();
  }

  private static ChannelEvent.CheckpointBarrier barrier(long id) {
    return new ChannelEvent.CheckpointBarrier(new Barrier(id, 1, SnapshotType.CHECKPOINT, false));
  }

  @Test
  void whatASenderSendsBeforeItsChannelIsRegisteredIsDeliveredFirstOnceItIs() throws Exception {
    ChannelKey key = new ChannelKey(7, 1, 0, 1);
    // the sender deployed first: its stream opens and a barrier (no credit needed) goes out
    RemoteOutputChannel sender = new RemoteOutputChannel(connection, "test", key, 64);
    sender.send(barrier(3));

    InputGate gate = new InputGate(1);
    server.register(key, new RemoteInputChannel(0, gate, 4, 64));
    Buffer buffer = sender.requestBuffer(); // credits are granted once the stream is attached
    byte[] text = "after".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(text, 0, buffer.data(), 0, text.length);
    buffer.length(text.length);
    sender.send(buffer);
    sender.send(barrier(4));

    assertThat(gate.poll(WAIT).payload()).isEqualTo(barrier(3));
    Buffer received = (Buffer) gate.poll(WAIT).payload();
    assertThat(new String(received.data(), 0, received.length(), StandardCharsets.UTF_8))
        .isEqualTo("after");
    assertThat(gate.poll(WAIT).payload()).isEqualTo(barrier(4));
    sender.close();
  }
}
