package dev.weir.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.proto.runtime.CoordinatorMessage;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

class WorkerSessionTest {

  private final WorkerSession session =
      new WorkerSession(
          0,
          "localhost:1",
          new StreamObserver<CoordinatorMessage>() {
            @Override
            public void onNext(CoordinatorMessage value) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });

  @Test
  void aHeartbeatReadAfterTheSourceFinishedDoesNotTakeItsFinalCountBack() {
    session.heartbeat(3, 58_240);
    session.sourceRecords(3, 60_000); // SOURCE_FINISHED carries the final count
    session.heartbeat(3, 59_651); // built before the event, delivered after it

    assertThat(session.sourceRecords(3)).isEqualTo(60_000);
  }

  @Test
  void aNewAttemptCountsFromItsOwnFirstReport() {
    session.heartbeat(3, 60_000);
    session.heartbeat(4, 120);

    assertThat(session.sourceRecords(4)).isEqualTo(120);
    assertThat(session.sourceRecords(3)).isZero();
  }
}
