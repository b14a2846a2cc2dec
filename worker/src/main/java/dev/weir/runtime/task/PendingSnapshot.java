package dev.weir.runtime.task;

import dev.weir.api.Sink;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.KeyedStateBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * What the synchronous part of one snapshot captured of an operator chain, waiting for its upload:
 * the operator state handles, the keyed backends' captures and the sinks that pre-committed.
 *
 * <p>Threading: created on the task thread ({@link OperatorChain#snapshotSync}); {@link #complete}
 * is started there and runs on the I/O executor; {@link #cancel} from any thread; {@link #discard}
 * from whichever thread gives the snapshot up.
 */
record PendingSnapshot(
    long checkpointId,
    Map<String, List<OperatorStateHandle>> operatorHandles,
    Map<String, KeyedStateBackend.KeyedSnapshot> keyed,
    List<Sink<Object>> sinks,
    int subtaskIndex) {

  /**
   * The asynchronous part, started from the task thread: the sinks' uploads and the keyed state's
   * run side by side on {@code executor}; completes with the description of every operator on
   * whichever of the two threads finishes last (no thread waits for the other).
   */
  CompletableFuture<Map<String, SubtaskSnapshot>> complete(Executor executor) {
    CompletableFuture<Void> sinkUploads =
        sinks.isEmpty()
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(
                () -> {
                  try {
                    for (Sink<Object> sink : sinks) {
                      sink.snapshotStateAsync(checkpointId);
                    }
                  } catch (Exception e) {
                    throw new CompletionException(e);
                  }
                },
                executor);
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return completeKeyed();
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            executor)
        .thenCombine(sinkUploads, (operators, done) -> operators);
  }

  private Map<String, SubtaskSnapshot> completeKeyed() throws Exception {
    Map<String, SubtaskSnapshot> result = new LinkedHashMap<>();
    for (String uid : union()) {
      SubtaskSnapshot.Builder snapshot = SubtaskSnapshot.newBuilder().setSubtaskIndex(subtaskIndex);
      snapshot.addAllOperatorState(operatorHandles.getOrDefault(uid, List.of()));
      KeyedStateBackend.KeyedSnapshot pending = keyed.get(uid);
      if (pending != null) {
        snapshot.addAllKeyedState(pending.upload());
      }
      result.put(uid, snapshot.build());
    }
    return result;
  }

  /** Drops what the keyed backends captured (the snapshot was given up). */
  void discard() {
    keyed.values().forEach(KeyedStateBackend.KeyedSnapshot::discard);
  }

  /** Asks the running keyed state uploads to give up (the checkpoint was aborted). */
  void cancel() {
    keyed.values().forEach(KeyedStateBackend.KeyedSnapshot::cancel);
  }

  private List<String> union() {
    List<String> uids = new ArrayList<>(operatorHandles.keySet());
    keyed.keySet().stream().filter(u -> !uids.contains(u)).forEach(uids::add);
    return uids;
  }
}
