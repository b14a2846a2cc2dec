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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The operator's gRPC client of a real coordinator service on loopback. */
class GrpcCoordinatorClientsIT {

  private static Server coordinator(int port, String jobId) throws Exception {
    return coordinator(port, jobId, new ArrayList<>());
  }

  /** A coordinator whose watchers are handed to the test (it sends them what it likes). */
  private static Server coordinator(
      int port, String jobId, List<StreamObserver<JobStatusResponse>> watchers) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(
            new JobServiceGrpc.JobServiceImplBase() {
              @Override
              public void watchJobStatus(
                  JobStatusRequest request, StreamObserver<JobStatusResponse> response) {
                watchers.add(response);
              }

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
  void aWatchTellsEachChangeTheCoordinatorSendsAndEndsOnceWhenTheCoordinatorGoes()
      throws Exception {
    int port = freePort();
    List<StreamObserver<JobStatusResponse>> watchers = new CopyOnWriteArrayList<>();
    AtomicInteger changes = new AtomicInteger();
    AtomicInteger ends = new AtomicInteger();
    Server server = coordinator(port, "job-1", watchers);
    try (GrpcCoordinatorClients clients =
        new GrpcCoordinatorClients((name, ns) -> "127.0.0.1:" + port, Duration.ofSeconds(2))) {
      CoordinatorClient.Watch watch =
          clients.forJob("ns", "job").watch(changes::incrementAndGet, ends::incrementAndGet);
      await().atMost(Duration.ofSeconds(10)).until(() -> watchers.size() == 1);
      watchers.get(0).onNext(JobStatusResponse.newBuilder().setStatus("RUNNING").build());
      watchers.get(0).onNext(JobStatusResponse.newBuilder().setStatus("RESTARTING").build());
      await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 2);

      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> ends.get() == 1);
      watch.close(); // closing an ended watch is harmless
      assertThat(ends.get()).isEqualTo(1);
      assertThat(changes.get()).isEqualTo(2);
    } finally {
      server.shutdownNow();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
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
