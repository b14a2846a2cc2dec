package dev.weir.operator.coordinator;

/** Hands out the coordinator client of a StreamingJob (namespace and name). */
public interface CoordinatorClients extends AutoCloseable {
  CoordinatorClient forJob(String namespace, String name);

  @Override
  default void close() {}
}
