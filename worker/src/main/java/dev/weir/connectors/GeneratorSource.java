package dev.weir.connectors;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.Collector;
import dev.weir.api.ListState;
import dev.weir.api.OperatorStateStore;
import dev.weir.api.Redistribution;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * A deterministic, replayable source of {@code events} records: record {@code i} is {@code
 * recordOf(i)}. The index space is cut into {@code splits} fixed splits (split {@code j} holds
 * every {@code i} with {@code i % splits == j}), like the partitions of a log; each split's next
 * offset is operator state, split evenly among subtasks on restore, so a rewind replays exactly the
 * same records at any parallelism.
 */
public final class GeneratorSource<T> implements Source<T> {
  private static final int BATCH = 512;

  private final long events;
  private final int splits;
  private final long ratePerSubtask;
  private final LongFunction<T> recordOf;
  private ListState<SplitPosition> state;
  private final List<SplitPosition> owned = new ArrayList<>();
  private int cursor;
  private long emitted;
  private long startNanos;

  /** A split and the offset of its next record within the split. */
  public record SplitPosition(int split, long offset) {}

  /**
   * @param events how many records in all; {@code Long.MAX_VALUE} for an unbounded source
   * @param ratePerSubtask most records per second per subtask; 0 for unlimited
   */
  public GeneratorSource(long events, int splits, long ratePerSubtask, LongFunction<T> recordOf) {
    if (events < 0 || splits < 1 || ratePerSubtask < 0) {
      throw new IllegalArgumentException("events >= 0, splits >= 1 and rate >= 0 are required");
    }
    this.events = events;
    this.splits = splits;
    this.ratePerSubtask = ratePerSubtask;
    this.recordOf = recordOf;
  }

  @Override
  public void open(RuntimeContext context, OperatorStateStore store) {
    state = store.getListState("splits", SPLIT_CODEC, Redistribution.EVEN_SPLIT);
    if (store.isRestored()) {
      owned.addAll(state.get());
    } else {
      for (int split = context.subtaskIndex(); split < splits; split += context.parallelism()) {
        owned.add(new SplitPosition(split, 0));
      }
    }
    startNanos = System.nanoTime();
  }

  /** Indices {@code i < events} with {@code i % splits == split}; no overflow near MAX_VALUE. */
  long splitSize(int split) {
    return events / splits + (split < events % splits ? 1 : 0);
  }

  @Override
  public boolean emitBatch(Collector<T> out) {
    int budget = BATCH;
    if (ratePerSubtask > 0) {
      long allowed = (System.nanoTime() - startNanos) * ratePerSubtask / 1_000_000_000L - emitted;
      if (allowed <= 0) {
        LockSupport.parkNanos(Math.min(1_000_000L, 1_000_000_000L / ratePerSubtask));
        return !owned.isEmpty() && hasMore();
      }
      budget = (int) Math.min(budget, allowed);
    }
    while (budget > 0 && !owned.isEmpty()) {
      if (cursor >= owned.size()) {
        cursor = 0;
      }
      SplitPosition position = owned.get(cursor);
      long size = splitSize(position.split());
      if (position.offset() >= size) {
        if (!hasMore()) {
          return false;
        }
        cursor++;
        continue;
      }
      long take = Math.min(budget, Math.min(64, size - position.offset()));
      long base = position.offset();
      for (long k = 0; k < take; k++) {
        out.collect(recordOf.apply((base + k) * splits + position.split()));
      }
      owned.set(cursor, new SplitPosition(position.split(), base + take));
      budget -= (int) take;
      emitted += take;
      cursor++;
    }
    return hasMore();
  }

  private boolean hasMore() {
    for (SplitPosition p : owned) {
      if (p.offset() < splitSize(p.split())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void snapshotState(long checkpointId) {
    state.update(owned);
  }

  private static final Codec<SplitPosition> SPLIT_CODEC =
      new Codec<>() {
        @Override
        public void write(SplitPosition value, BinaryWriter out) {
          out.writeInt(value.split());
          out.writeLong(value.offset());
        }

        @Override
        public SplitPosition read(BinaryReader in) {
          return new SplitPosition(in.readInt(), in.readLong());
        }
      };
}
