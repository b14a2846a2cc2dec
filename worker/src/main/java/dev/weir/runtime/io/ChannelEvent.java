package dev.weir.runtime.io;

import dev.weir.state.SnapshotType;

/** Control events that travel in-band with the records of a channel, in order. */
public sealed interface ChannelEvent {

  /**
   * Separates the records before checkpoint {@code checkpointId} from those after it. A final
   * barrier is the last one: end-of-input follows once it completed (at once when the sources are
   * exhausted; after the savepoint completed for stop-with-savepoint).
   */
  record CheckpointBarrier(
      long checkpointId, long timestampMillis, boolean isFinal, SnapshotType type)
      implements ChannelEvent {
    public CheckpointBarrier {
      java.util.Objects.requireNonNull(type, "type");
    }
  }

  /** An upstream task gave up checkpoint {@code checkpointId}; do not wait for its barriers. */
  record CancelCheckpoint(long checkpointId) implements ChannelEvent {}

  /** No record follows on this channel. */
  record EndOfInput() implements ChannelEvent {}
}
