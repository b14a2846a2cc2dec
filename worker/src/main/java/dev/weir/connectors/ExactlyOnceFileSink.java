package dev.weir.connectors;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.ListState;
import dev.weir.api.OperatorStateStore;
import dev.weir.api.Redistribution;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import dev.weir.storage.StorageLocation;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records as lines to a directory or an S3 prefix with two-phase commit, so that output is
 * exactly-once together with aligned checkpoints.
 *
 * <ul>
 *   <li>Between checkpoints, lines go to a local staging file, opened by the first record after a
 *       pre-commit (not on the checkpoint's path); a checkpoint without new records sets nothing
 *       aside.
 *   <li>Pre-commit: on the task thread ({@link #snapshotState}) the staging file is closed, set
 *       aside and its future name {@code .pending/part-<ckpt>-<subtask>-a<attempt>} remembered in
 *       operator state; on the upload thread ({@link #snapshotStateAsync}), before the checkpoint
 *       is acknowledged, every file set aside for it or an earlier checkpoint and not uploaded yet
 *       is uploaded under that name. So a completed checkpoint never names a pending file that is
 *       not in storage.
 *   <li>Commit ({@link #notifyCheckpointComplete}): each pending file of that checkpoint or older
 *       is copied to its final name {@code part-<ckpt>-<subtask>} and the pending copy deleted.
 *   <li>Recovery: pending files in the restored state belong to a completed checkpoint and are
 *       committed (idempotently: an existing final file means already committed); other pending
 *       files of this subtask belong to checkpoints that never completed and are deleted.
 * </ul>
 *
 * Committed part names sort by checkpoint id, so reading them in name order gives every key's
 * records in order. If an upload fails, that checkpoint fails; the file stays set aside and goes
 * out with the next checkpoint: nothing is lost.
 *
 * <p>Threading: the task thread, except {@link #snapshotStateAsync} (upload threads), which shares
 * only the thread-safe {@link #aside} map and the storage.
 */
public final class ExactlyOnceFileSink<T> implements Sink<T> {
  private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceFileSink.class);
  static final String PENDING = ".pending/";

  private final String location;
  private final Function<T, String> format;
  private CheckpointStorage storage;
  private ListState<Pending> pendingState;
  private final List<Pending> pending = new ArrayList<>();
  private Path stagingFile;
  // open from the first record after a pre-commit (or the start) until the next pre-commit
  private BufferedWriter staging;
  // staging files of pre-committed checkpoints not uploaded yet, by checkpoint id
  private final ConcurrentSkipListMap<Long, Aside> aside = new ConcurrentSkipListMap<>();
  private final Object uploads = new Object();
  private int subtask;
  private int attempt;

  /** A file uploaded for a checkpoint and not yet committed. */
  record Pending(long checkpointId, String pendingPath, String finalPath) {}

  /** A closed staging file waiting for its upload to {@code pendingPath}. */
  private record Aside(Path localFile, String pendingPath) {}

  /**
   * @param location a directory, {@code file:///dir} or {@code s3://bucket/prefix} (endpoint from
   *     {@code WEIR_S3_ENDPOINT} or the {@code weir.s3.endpoint} property, credentials from the
   *     environment)
   */
  public ExactlyOnceFileSink(String location, Function<T, String> format) {
    this.location = location;
    this.format = format;
  }

  /** The S3 endpoint for {@code s3://} outputs. */
  static String endpoint() {
    String env = System.getenv("WEIR_S3_ENDPOINT");
    return env != null && !env.isBlank() ? env : System.getProperty("weir.s3.endpoint");
  }

  @Override
  public void open(RuntimeContext context, OperatorStateStore state) throws Exception {
    subtask = context.subtaskIndex();
    attempt = context.attempt();
    storage = StorageLocation.parse(location, endpoint()).open();
    // union: after a change of parallelism every subtask sees every pending file; commits are
    // idempotent, so committing one twice is harmless
    pendingState = state.getListState("pending", PENDING_CODEC, Redistribution.UNION);
    if (state.isRestored()) {
      for (Pending p : pendingState.get()) {
        commit(p);
      }
      pendingState.clear();
      rollBackPartsAfter(state.restoredCheckpointId().getAsLong());
    }
    discardUncommitted(pendingState.get());
  }

  /**
   * Deletes this subtask's committed parts of checkpoints newer than the one restored. They exist
   * only when recovery had to fall back past a damaged checkpoint: their records are replayed and
   * committed again, so keeping them would duplicate output.
   */
  private void rollBackPartsAfter(long restoredCheckpointId) throws StorageException {
    String suffix = "-" + subtask;
    for (String path : storage.list("part-")) {
      int dash = path.lastIndexOf('-');
      if (path.endsWith(suffix) && dash == path.length() - suffix.length()) {
        long checkpointId = Long.parseLong(path.substring("part-".length(), dash));
        if (checkpointId > restoredCheckpointId) {
          LOG.warn(
              "removing committed {}: it is newer than the restored checkpoint {} and is replayed",
              storage.describe(path),
              restoredCheckpointId);
          storage.delete(path);
        }
      }
    }
  }

  /** Deletes this subtask's pending files that no completed checkpoint refers to. */
  private void discardUncommitted(List<Pending> keep) throws StorageException {
    Set<String> kept = new HashSet<>();
    keep.forEach(p -> kept.add(p.pendingPath()));
    String mine = "-" + subtask + "-a";
    for (String path : storage.list(PENDING)) {
      if (path.contains(mine) && !kept.contains(path)) {
        storage.delete(path);
      }
    }
  }

  private void openStaging() throws IOException {
    stagingFile = Files.createTempFile("weir-sink-" + subtask + "-", ".part");
    staging = Files.newBufferedWriter(stagingFile, StandardCharsets.UTF_8);
  }

  @Override
  public void write(T record) {
    try {
      if (staging == null) {
        openStaging(); // here rather than in the pre-commit: not on the checkpoint's path
      }
      staging.write(format.apply(record));
      staging.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sink's staging file " + stagingFile, e);
    }
  }

  @Override
  public void snapshotState(long checkpointId) throws Exception {
    if (staging != null) {
      staging.close();
      String name = String.format("part-%012d-%d", checkpointId, subtask);
      Pending next = new Pending(checkpointId, PENDING + name + "-a" + attempt, name);
      aside.put(checkpointId, new Aside(stagingFile, next.pendingPath()));
      pending.add(next);
      staging = null; // the next record opens the next staging file
    }
    pendingState.update(pending);
  }

  /** Uploads every file set aside for this checkpoint or an earlier one (retrying failed ones). */
  @Override
  public void snapshotStateAsync(long checkpointId) throws Exception {
    synchronized (uploads) { // two checkpoints in flight must not upload one file twice
      for (var entry : aside.headMap(checkpointId, true).entrySet()) {
        Aside file = entry.getValue();
        storage.upload(file.pendingPath(), file.localFile()); // on failure the file stays aside
        aside.remove(entry.getKey());
        Files.deleteIfExists(file.localFile());
      }
    }
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    List<Pending> committed = new ArrayList<>();
    for (Pending p : pending) {
      if (p.checkpointId() <= checkpointId) {
        try {
          commit(p);
          committed.add(p);
        } catch (StorageException e) {
          // stays pending: retried on the next completed checkpoint or after recovery
          LOG.warn("commit of {} failed, will retry: {}", p.finalPath(), e.getMessage());
        }
      }
    }
    pending.removeAll(committed);
  }

  private void commit(Pending p) throws StorageException {
    if (storage.exists(p.finalPath())) {
      storage.delete(p.pendingPath()); // committed before; the pending copy may linger
      return;
    }
    try {
      storage.copy(p.pendingPath(), p.finalPath());
    } catch (StorageException e) {
      if (e.isNotFound() && storage.exists(p.finalPath())) {
        return; // another subtask committed it in the meantime
      }
      throw e;
    }
    storage.delete(p.pendingPath());
  }

  @Override
  public void close() throws Exception {
    if (staging != null) {
      staging.close();
      Files.deleteIfExists(stagingFile);
    }
    // not uploaded: their checkpoints never completed, their records are replayed after a restore
    for (Aside file : aside.values()) {
      Files.deleteIfExists(file.localFile());
    }
    aside.clear();
    if (storage != null) {
      storage.close();
    }
  }

  /** The committed lines under {@code storage}, in commit order (for readers and tests). */
  public static List<String> readCommitted(CheckpointStorage storage) throws StorageException {
    List<String> lines = new ArrayList<>();
    for (String path : storage.list("part-")) {
      String text = new String(storage.read(path), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (!line.isEmpty()) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  private static final Codec<Pending> PENDING_CODEC =
      new Codec<>() {
        @Override
        public void write(Pending value, BinaryWriter out) {
          out.writeLong(value.checkpointId());
          out.writeString(value.pendingPath());
          out.writeString(value.finalPath());
        }

        @Override
        public Pending read(BinaryReader in) {
          return new Pending(in.readLong(), in.readString(), in.readString());
        }
      };
}
