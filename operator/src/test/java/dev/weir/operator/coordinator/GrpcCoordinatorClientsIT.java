package dev.weir.operator.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weir.proto.runtime.JobServiceGrpc;
import dev.weir.proto.runtime.JobStatusRequest;
import dev.weir.proto.runtime.JobStatusResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The operator's gRPC client of a real coordinator service on loopback. */
class GrpcCoordinatorClientsIT {

  private static Server coordinator(int port, String jobId) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(
            new JobServiceGrpc.JobServiceImplBase() {
              @Override
              public void getJobStatus(
                  JobStatusRequest request, StreamObserver<JobStatusResponse> response) {
                response.onNext(
                    JobStatusResponse.newBuilder()
                        .setJobId(jobId)
                        .setStatus("RUNNING")
                        .setParallelism(2)
                        .build());
                response.onCompleted();
              }
            })
        .build()
        .start();
  }

  @Test
  void aRestartedCoordinatorIsReachedAtTheNextCallNotAfterTheChannelsReconnectBackoff()
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    int p = port;
    try (GrpcCoordinatorClients clients =
        new GrpcCoordinatorClients((name, ns) -> "127.0.0.1:" + p, Duration.ofSeconds(2))) {
      Server first = coordinator(port, "job-1");
      assertThat(clients.forJob("ns", "job").jobStatus().jobId()).isEqualTo("job-1");
      first.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

      // a coordinator away for 12 s: gRPC's own reconnect backoff grows past 6 s meanwhile
      long away = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                assertThatThrownBy(() -> clients.forJob("ns", "job").jobStatus())
                    .isInstanceOf(CoordinatorUnavailableException.class);
                return System.nanoTime() - away > Duration.ofSeconds(12).toNanos();
              });

      Server second = coordinator(port, "job-2");
      try {
        long t0 = System.nanoTime();
        assertThat(clients.forJob("ns", "job").jobStatus().jobId()).isEqualTo("job-2");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
      } finally {
        second.shutdownNow();
      }
    }
  }
}
