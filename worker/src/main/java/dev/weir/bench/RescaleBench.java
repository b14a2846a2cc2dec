package dev.weir.bench;

import dev.weir.api.Codecs;
import dev.weir.api.Collector;
import dev.weir.api.KeyedProcessFunction;
import dev.weir.api.KeyedStateStore;
import dev.weir.api.Pipeline;
import dev.weir.api.RuntimeContext;
import dev.weir.api.StateDescriptor;
import dev.weir.api.StreamJob;
import dev.weir.api.ValueState;
import dev.weir.checkpoint.CompletedCheckpoint;
import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.connectors.DiscardingSink;
import dev.weir.connectors.GeneratorSource;
import dev.weir.runner.JobRunner;
import dev.weir.stats.CheckpointDetails;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Measures rescale downtime with a large RocksDB state: a job holding {@code keys} values of {@code
 * valueBytes} random bytes each runs at parallelism 2, then
 *
 * <ol>
 *   <li>is stopped with a savepoint and started from it at parallelism 3: the time from the stop
 *       request to the first record processed at the new parallelism;
 *   <li>is dropped without a savepoint (as if its pods were deleted) and started from its latest
 *       retained checkpoint at parallelism 2 (same job id, last-state): the time from the drop to
 *       the first record processed.
 * </ol>
 *
 * Every task runs in this process (the restore path is the same as with worker processes).
 *
 * <pre>java -Dweir.rocksdb.cacheEntries=10000 -cp worker/target/weir-worker.jar \
 *     dev.weir.bench.RescaleBench [keys=1000000] [valueBytes=1000] [incremental=false]</pre>
 */
public final class RescaleBench {
  private RescaleBench() {}

  /** Writes one random value per key, over and over: the state is keys x valueBytes. */
  public static final class StateLoad implements StreamJob {
    @Override
    public void define(Pipeline pipeline, List<String> args) {
      long keys = Long.parseLong(args.get(0));
      int valueBytes = Integer.parseInt(args.get(1));
      pipeline
          .source("ids", new GeneratorSource<>(Long.MAX_VALUE, 64, 0, i -> i), Codecs.LONG)
          .keyBy(i -> i % keys, Codecs.LONG)
          .process("load", new Load(valueBytes), Codecs.LONG)
          .sink("discard", new DiscardingSink<>());
    }
  }

  /** When a keyed task of this process first processed a record (System.nanoTime), else 0. */
  static final AtomicLong FIRST_PROCESSED = new AtomicLong();

  static final class Load implements KeyedProcessFunction<Long, Long, Long> {
    private final int valueBytes;
    private ValueState<byte[]> payload;
    private boolean processed;

    Load(int valueBytes) {
      this.valueBytes = valueBytes;
    }

    @Override
    public void open(RuntimeContext context, KeyedStateStore state) {
      payload = state.getState(new StateDescriptor.Value<>("payload", Codecs.BYTES));
    }

    @Override
    public void process(Long key, Long event, Collector<Long> out) {
      if (!processed) {
        processed = true;
        FIRST_PROCESSED.compareAndSet(0, System.nanoTime());
      }
      byte[] value = new byte[valueBytes];
      new SplittableRandom(event).nextBytes(value);
      payload.update(value);
    }
  }

  public static void main(String[] args) throws Exception {
    long keys = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int valueBytes = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    boolean incremental = args.length > 2 && Boolean.parseBoolean(args[2]);
    Path dir = Files.createTempDirectory("weir-rescale-bench-");
    String jobId = "rescale-" + UUID.randomUUID();
    long stateMb = keys * valueBytes >> 20;
    System.out.printf(
        "state: %d keys x %d bytes = %d MiB, RocksDB, incremental %s, in %s%n",
        keys, valueBytes, stateMb, incremental, dir);

    // 1. load the state at parallelism 2, then stop with a savepoint and start at parallelism 3
    JobRunner first =
        new JobRunner(spec(dir, 2, keys, valueBytes, incremental, null), jobId, dir.resolve("w1"));
    var firstResult = first.start();
    long loadStart = System.nanoTime();
    waitUntil(() -> first.jobMaster().sourceRecords() >= keys * 6 / 5);
    System.out.printf(
        "loaded %d records in %d ms%n",
        first.jobMaster().sourceRecords(), (System.nanoTime() - loadStart) / 1_000_000);
    long stop = System.nanoTime();
    CompletedCheckpoint savepoint = first.triggerSavepoint(true).get(10, TimeUnit.MINUTES);
    long savepointDone = System.nanoTime();
    firstResult.get(10, TimeUnit.MINUTES);
    first.close();
    JobRunner second =
        new JobRunner(
            spec(dir, 3, keys, valueBytes, incremental, savepoint.path()),
            "rescaled-" + UUID.randomUUID(),
            dir.resolve("w2"));
    FIRST_PROCESSED.set(0);
    second.start();
    waitUntil(() -> FIRST_PROCESSED.get() != 0);
    long flowing = FIRST_PROCESSED.get();
    System.out.printf(
        "RESULT rescale from savepoint 2->3: downtime %d ms (savepoint %d ms, %d MiB; stop to"
            + " flowing at parallelism 3)%n",
        (flowing - stop) / 1_000_000,
        (savepointDone - stop) / 1_000_000,
        savepoint.stateSizeBytes() >> 20);
    second.cancel();
    second.close();

    // 2. run at parallelism 3 from a fresh load, drop it, start at 2 from its latest checkpoint
    String lastStateId = jobId + "-last-state";
    JobRunner third =
        new JobRunner(
            spec(dir, 3, keys, valueBytes, incremental, null), lastStateId, dir.resolve("w3"));
    third.start();
    waitUntil(() -> third.jobMaster().sourceRecords() >= keys * 6 / 5);
    long completed = third.checkpointStats().counts().completed();
    waitUntil(() -> third.checkpointStats().counts().completed() >= completed + 1);
    CheckpointDetails latest = third.checkpointStats().latestCompleted();
    long dropped = System.nanoTime();
    third.close(); // tasks cancelled, nothing committed: as if the pods were deleted
    JobRunner fourth =
        new JobRunner(
            spec(dir, 2, keys, valueBytes, incremental, null), lastStateId, dir.resolve("w4"));
    FIRST_PROCESSED.set(0);
    fourth.start();
    waitUntil(() -> FIRST_PROCESSED.get() != 0);
    System.out.printf(
        "RESULT rescale from retained checkpoint 3->2: downtime %d ms (checkpoint %d, %d MiB;"
            + " drop to flowing at parallelism 2)%n",
        (FIRST_PROCESSED.get() - dropped) / 1_000_000, latest.id(), latest.stateSizeBytes() >> 20);
    fourth.cancel();
    fourth.close();
  }

  private static JobSpec spec(
      Path dir, int parallelism, long keys, int valueBytes, boolean incremental, String savepoint)
      throws Exception {
    String manifest =
        """
        apiVersion: weir.dev/v1alpha1
        kind: StreamingJob
        metadata: {name: rescale-bench}
        spec:
          parallelism: %d
          maxParallelism: 128
          job:
            entryClass: dev.weir.bench.RescaleBench$StateLoad
            args: ["%d", "%d"]
          checkpointing: {interval: 5s, timeout: 10m, retained: 1, incremental: %s}
          stateBackend: rocksdb
          storage: {path: '%s'}
        """
                .formatted(parallelism, keys, valueBytes, incremental, dir.resolve("state"))
            + (savepoint == null ? "" : "  initialSavepointPath: '" + savepoint + "'\n");
    return new ManifestValidator(System::getenv).validate(manifest, "bench");
  }

  private static void waitUntil(BooleanSupplier condition) {
    while (!condition.getAsBoolean()) {
      LockSupport.parkNanos(5_000_000);
    }
  }
}
