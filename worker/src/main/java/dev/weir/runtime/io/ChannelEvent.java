package dev.weir.runtime.io;

import dev.weir.checkpoint.barrier.Barrier;
import java.util.Objects;

/** Control events that travel in-band with the records of a channel, in order. */
public sealed interface ChannelEvent {

  /** A checkpoint {@link Barrier} on its way through the channels. */
  record CheckpointBarrier(Barrier barrier) implements ChannelEvent {
    public CheckpointBarrier {
      Objects.requireNonNull(barrier, "barrier");
    }

    public long checkpointId() {
      return barrier.checkpointId();
    }
  }

  /** An upstream task gave up checkpoint {@code checkpointId}; do not wait for its barriers. */
  record CancelCheckpoint(long checkpointId) implements ChannelEvent {}

  /** No record follows on this channel. */
  record EndOfInput() implements ChannelEvent {}
}
