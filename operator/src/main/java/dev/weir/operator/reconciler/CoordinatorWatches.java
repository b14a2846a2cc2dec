package dev.weir.operator.reconciler;

import dev.weir.operator.api.StreamingJob;
import dev.weir.operator.coordinator.CoordinatorClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coordinators telling: one stream of job-state changes per running job id ({@code
 * WatchJobStatus}); each change reconciles the job's StreamingJob at once, so a job that starts
 * running, restarts after a task failure or fails is in the status without waiting for a poll (a
 * task failure changes no pod). A stream that ends (the coordinator went away) is opened again by a
 * later round.
 *
 * <p>Thread-safe: rounds run on reconciler threads, stream callbacks on gRPC threads.
 */
final class CoordinatorWatches implements AutoCloseable {
  private final SimpleInboundEventSource<StreamingJob> events;
  private final Map<ResourceID, Watched> watched = new ConcurrentHashMap<>();

  /** One open stream, of one job id. */
  private static final class Watched {
    final String jobId;
    volatile CoordinatorClient.Watch stream;
    volatile boolean ended;

    Watched(String jobId) {
      this.jobId = jobId;
    }
  }

  CoordinatorWatches(SimpleInboundEventSource<StreamingJob> events) {
    this.events = events;
  }

  /** Keeps a stream open to the coordinator of {@code jobId} (and none to an older job id). */
  void watch(ResourceID job, String jobId, CoordinatorClient coordinator) {
    Watched current = watched.get(job);
    if (current != null && current.jobId.equals(jobId) && !current.ended) {
      return;
    }
    forget(job);
    Watched next = new Watched(jobId);
    watched.put(job, next);
    next.stream =
        coordinator.watch(
            () -> events.propagateEvent(job),
            () -> {
              next.ended = true;
              watched.remove(job, next);
            });
  }

  /** Closes the job's stream (suspended, deleted, nothing deployed). */
  void forget(ResourceID job) {
    Watched gone = watched.remove(job);
    if (gone != null && gone.stream != null) {
      gone.stream.close();
    }
  }

  @Override
  public void close() {
    watched.keySet().forEach(this::forget);
  }
}
