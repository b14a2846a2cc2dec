package dev.weir.net;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The one transport thread of a worker: every gRPC connection of the worker — its data server, its
 * connections to peer workers and its control stream to the coordinator — is served by a single
 * event loop (epoll where available). One thread that is awake handles whatever is ready on all of
 * them (a buffer arriving, a credit going back, a trigger), instead of several loops each paying
 * its own wake-up for one message; gRPC's default is a loop per connection out of 2 per core. The
 * callbacks that run on it only hand work on (see {@link DataServer}, {@link RemoteOutputChannel},
 * {@link WorkerRuntime}), never block.
 */
final class WorkerTransport implements AutoCloseable {
  private final EventLoopGroup loop;
  private final Class<? extends io.grpc.netty.shaded.io.netty.channel.Channel> clientChannel;
  private final Class<? extends ServerChannel> serverChannel;

  WorkerTransport() {
    DefaultThreadFactory threads = new DefaultThreadFactory("weir-transport", true);
    if (Epoll.isAvailable()) {
      loop = new EpollEventLoopGroup(1, threads);
      clientChannel = EpollSocketChannel.class;
      serverChannel = EpollServerSocketChannel.class;
    } else {
      loop = new NioEventLoopGroup(1, threads);
      clientChannel = NioSocketChannel.class;
      serverChannel = NioServerSocketChannel.class;
    }
  }

  /** A connection to {@code target} served by this transport's thread, without gRPC retries. */
  NettyChannelBuilder connection(String target) {
    return NettyChannelBuilder.forTarget(target)
        .eventLoopGroup(loop)
        .channelType(clientChannel)
        .usePlaintext()
        // a broken stream is a lost peer, which the job master handles; gRPC's retry layer would
        // wrap every send and keep copies of the buffers sent until the call commits
        .disableRetry();
  }

  /** A server on {@code address} whose connections are served by this transport's thread. */
  NettyServerBuilder server(InetSocketAddress address) {
    return NettyServerBuilder.forAddress(address)
        .bossEventLoopGroup(loop)
        .workerEventLoopGroup(loop)
        .channelType(serverChannel);
  }

  /** Stops the thread; after the servers and connections using it are shut down. */
  @Override
  public void close() {
    loop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
