package dev.weir.net;

import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One gRPC connection per peer worker, shared by all data channels to it. Thread-safe. */
final class PeerConnections implements AutoCloseable {
  private final Map<String, ManagedChannel> connections = new ConcurrentHashMap<>();
  private final WorkerTransport transport;

  PeerConnections(WorkerTransport transport) {
    this.transport = transport;
  }

  ManagedChannel connection(String address) {
    return connections.computeIfAbsent(
        // credits are handed to the output channels without blocking: no executor hop for them
        address, a -> transport.connection(a).directExecutor().build());
  }

  @Override
  public void close() {
    for (ManagedChannel channel : connections.values()) {
      channel.shutdownNow();
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
