package dev.weir.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import picocli.CommandLine.Option;

/** {@code --coordinator HOST:PORT}: the coordinator's gRPC API, for the commands that call it. */
final class CoordinatorApi {
  @Option(
      names = "--coordinator",
      defaultValue = "${env:WEIR_COORDINATOR}",
      required = true,
      converter = HostAndPort.Converter.class,
      paramLabel = "HOST:PORT",
      description =
          "the coordinator's gRPC API (printed by local when the job starts; env WEIR_COORDINATOR)")
  HostAndPort coordinator;

  /** A plaintext channel to the coordinator; the caller shuts it down. */
  ManagedChannel open() {
    return NettyChannelBuilder.forAddress(coordinator.host(), coordinator.port())
        .usePlaintext()
        .build();
  }

  /** One line for a failed call: {@code coordinator HOST:PORT: CODE description}. */
  String describe(StatusRuntimeException e) {
    return "coordinator "
        + coordinator
        + ": "
        + e.getStatus().getCode()
        + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
  }
}
