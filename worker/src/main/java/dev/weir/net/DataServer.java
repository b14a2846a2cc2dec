package dev.weir.net;

import dev.weir.checkpoint.barrier.Barrier;
import dev.weir.proto.runtime.Credit;
import dev.weir.proto.runtime.DataGrpc;
import dev.weir.proto.runtime.DataMessage;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.state.SnapshotType;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A worker's data server: accepts the channel streams other workers open to it and routes each to
 * the {@link RemoteInputChannel} the local task registered for it. A stream may arrive before its
 * channel is registered (the sender deployed first); what it delivers meanwhile is held, in order,
 * until the channel is registered (or refused after a while).
 *
 * <p>Threading: the transport's own threads run the handlers (direct executor: one thread hop less
 * for every buffer and barrier), so nothing here blocks; a stream's handler state is guarded by the
 * stream's lock because registration completes it from another thread. The registry is a concurrent
 * map.
 */
public final class DataServer implements AutoCloseable {
  private static final long REGISTRATION_WAIT_SECONDS = 30;

  private final ConcurrentHashMap<ChannelKey, CompletableFuture<RemoteInputChannel>> channels =
      new ConcurrentHashMap<>();
  private final Server server;

  DataServer(WorkerTransport transport, String bindHost, int port) throws IOException {
    server =
        transport
            .server(new InetSocketAddress(bindHost, port))
            .directExecutor()
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
        // messages that arrived before the channel was registered, in order; null once attached
        private List<DataMessage> early = new ArrayList<>();
        private boolean refused;

        @Override
        public void onNext(DataMessage message) {
          if (message.getKindCase() == DataMessage.KindCase.HEADER) {
            var h = message.getHeader();
            ChannelKey key =
                new ChannelKey(h.getDeploymentId(), h.getStage(), h.getSender(), h.getReceiver());
            channels
                .computeIfAbsent(key, k -> new CompletableFuture<>())
                .copy() // the timeout is this stream's; the registry's future stays open
                .orTimeout(REGISTRATION_WAIT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((registered, error) -> attach(key, registered, error));
            return;
          }
          synchronized (this) {
            if (channel == null) {
              if (!refused) {
                early.add(message);
              }
              return;
            }
          }
          dispatch(channel, message);
        }

        private void attach(ChannelKey key, RemoteInputChannel registered, Throwable error) {
          synchronized (this) {
            if (error != null) {
              refused = true;
              early = null;
              credits.onError(
                  Status.NOT_FOUND
                      .withDescription("no channel " + key + " on this worker")
                      .asRuntimeException());
              return;
            }
            registered.attach(credits);
            for (DataMessage message : early) {
              dispatch(registered, message);
            }
            early = null;
            channel = registered;
          }
        }

        private void dispatch(RemoteInputChannel channel, DataMessage message) {
          switch (message.getKindCase()) {
            case BUFFER -> channel.onBuffer(message.getBuffer());
            case BARRIER -> {
              var b = message.getBarrier();
              channel.onEvent(
                  new ChannelEvent.CheckpointBarrier(
                      new Barrier(
                          b.getCheckpointId(),
                          b.getTimestampMs(),
                          b.getSavepoint() ? SnapshotType.SAVEPOINT : SnapshotType.CHECKPOINT,
                          b.getIsFinal())));
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
          RemoteInputChannel attached;
          synchronized (this) {
            attached = channel;
          }
          if (attached != null) {
            attached.close();
          }
        }
      };
    }
  }
}
