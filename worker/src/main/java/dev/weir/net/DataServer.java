package dev.weir.net;

import dev.weir.proto.runtime.Credit;
import dev.weir.proto.runtime.DataGrpc;
import dev.weir.proto.runtime.DataMessage;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.state.SnapshotType;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker's data server: accepts the channel streams other workers open to it and routes each to
 * the {@link RemoteInputChannel} the local task registered for it. A stream may arrive before its
 * channel is registered (the sender deployed first); its handler then waits briefly.
 *
 * <p>Threading: gRPC threads; the registry is a concurrent map.
 */
public final class DataServer implements AutoCloseable {
  private static final long REGISTRATION_WAIT_SECONDS = 30;

  private final ConcurrentHashMap<ChannelKey, CompletableFuture<RemoteInputChannel>> channels =
      new ConcurrentHashMap<>();
  private final Server server;

  public DataServer(String bindHost, int port) throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(bindHost, port))
            .addService(new Service())
            .build()
            .start();
  }

  public int port() {
    return server.getPort();
  }

  void register(ChannelKey key, RemoteInputChannel channel) {
    channels.computeIfAbsent(key, k -> new CompletableFuture<>()).complete(channel);
  }

  /** Forgets the channels of a deployment that was cancelled. */
  void unregisterDeployment(long deploymentId) {
    channels
        .entrySet()
        .removeIf(
            e -> {
              if (e.getKey().deploymentId() == deploymentId) {
                e.getValue().thenAccept(RemoteInputChannel::close);
                return true;
              }
              return false;
            });
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private final class Service extends DataGrpc.DataImplBase {
    @Override
    public StreamObserver<DataMessage> transfer(StreamObserver<Credit> credits) {
      return new StreamObserver<>() {
        private RemoteInputChannel channel;

        @Override
        public void onNext(DataMessage message) {
          switch (message.getKindCase()) {
            case HEADER -> {
              var h = message.getHeader();
              ChannelKey key =
                  new ChannelKey(h.getDeploymentId(), h.getStage(), h.getSender(), h.getReceiver());
              try {
                channel =
                    channels
                        .computeIfAbsent(key, k -> new CompletableFuture<>())
                        .get(REGISTRATION_WAIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                credits.onError(Status.CANCELLED.asRuntimeException());
                return;
              } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                credits.onError(
                    Status.NOT_FOUND
                        .withDescription("no channel " + key + " on this worker")
                        .asRuntimeException());
                return;
              }
              channel.attach(credits);
            }
            case BUFFER -> channel.onBuffer(message.getBuffer());
            case BARRIER -> {
              var b = message.getBarrier();
              channel.onEvent(
                  new ChannelEvent.CheckpointBarrier(
                      b.getCheckpointId(),
                      b.getTimestampMs(),
                      b.getIsFinal(),
                      b.getSavepoint() ? SnapshotType.SAVEPOINT : SnapshotType.CHECKPOINT));
            }
            case CANCEL_CHECKPOINT ->
                channel.onEvent(new ChannelEvent.CancelCheckpoint(message.getCancelCheckpoint()));
            case END_OF_INPUT -> channel.onEvent(new ChannelEvent.EndOfInput());
            default -> {}
          }
        }

        @Override
        public void onError(Throwable t) {
          // the sender is gone; the coordinator notices the lost worker and fails over
        }

        @Override
        public void onCompleted() {
          if (channel != null) {
            channel.close();
          }
        }
      };
    }
  }
}
