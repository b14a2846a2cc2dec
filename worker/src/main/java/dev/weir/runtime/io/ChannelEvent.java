package dev.weir.runtime.io;

/** Control events that travel in-band with the records of a channel, in order. */
public sealed interface ChannelEvent {

  /** Separates the records before checkpoint {@code checkpointId} from those after it. */
  record CheckpointBarrier(long checkpointId, long timestampMillis, boolean isFinal)
      implements ChannelEvent {}

  /** An upstream task gave up checkpoint {@code checkpointId}; do not wait for its barriers. */
  record CancelCheckpoint(long checkpointId) implements ChannelEvent {}

  /** No record follows on this channel. */
  record EndOfInput() implements ChannelEvent {}
}
