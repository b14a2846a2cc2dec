package dev.weir.connectors;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.api.ListState;
import dev.weir.api.OperatorStateStore;
import dev.weir.api.Redistribution;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Sink;
import dev.weir.state.StateRestoreException;
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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 *       aside and its future name {@code .pending/part-<writer>-<ckpt>-<subtask>-a<attempt>}
 *       remembered in operator state; on the upload thread ({@link #snapshotStateAsync}), before
 *       the checkpoint is acknowledged, every file set aside for it or an earlier checkpoint and
 *       not uploaded yet is uploaded under that name. So a completed checkpoint never names a
 *       pending file that is not in storage.
 *   <li>Commit ({@link #notifyCheckpointComplete}): each pending file of that checkpoint or older
 *       is copied to its final name {@code part-<writer>-<ckpt>-<subtask>} and the pending copy
 *       deleted.
 *   <li>Recovery: first every pending file in the restored state is checked to be there (or
 *       committed already), before anything is changed: a restore that cannot complete leaves the
 *       directory as it was. Then they are committed (they belong to a completed checkpoint;
 *       idempotently: an existing final file means already committed); this writer's parts of
 *       checkpoints newer than the restored one are removed (their records are replayed) and so are
 *       this writer's other pending files of this subtask (their checkpoints never completed).
 * </ul>
 *
 * <p><b>Writer identity.</b> {@code <writer>} names the job whose output this is: the job id of the
 * run that started without state, kept in the sink's operator state from then on, so a restarted
 * coordinator and a job restored from its savepoint (at any parallelism) go on writing under it,
 * while another job writing to the same directory has its own. The sink touches only files of its
 * own writer identity; anything else in the directory (other jobs' parts, parts named before writer
 * identities existed) is left alone, and reported once at the start.
 *
 * <p>Committed part names of one writer sort by checkpoint id, so reading them in name order gives
 * every key's records in order. If an upload fails, that checkpoint fails; the file stays set aside
 * and goes out with the next checkpoint: nothing is lost.
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
  private ListState<String> writerState;
  private String writer;
  private Pattern ownPart;
  private Pattern ownPending;
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
    writerState = state.getListState("writer", Codecs.STRING, Redistribution.UNION);
    writer = writerIdentity(context, writerState.get());
    ownPart = Pattern.compile("part-" + Pattern.quote(writer) + "-(\\d{12})-(\\d+)");
    ownPending =
        Pattern.compile(
            Pattern.quote(PENDING) + "part-" + Pattern.quote(writer) + "-\\d{12}-(\\d+)-a\\d+");
    List<Pending> restored = state.isRestored() ? pendingState.get() : List.of();
    // everything this restore needs is checked before the directory is changed at all
    verifyRestorable(restored);
    describeDirectory(state);
    for (Pending p : restored) {
      commit(p);
    }
    pendingState.clear();
    if (state.isRestored()) {
      rollBackPartsAfter(state.restoredCheckpointId().getAsLong());
    }
    discardUncommitted();
    writerState.update(List.of(writer));
  }

  /**
   * The writer identity: the one in the restored state, else (a job started without state, or from
   * a snapshot taken before writer identities) this run's job id.
   */
  private static String writerIdentity(RuntimeContext context, List<String> restored)
      throws StateRestoreException {
    Set<String> distinct = new TreeSet<>(restored);
    if (distinct.size() > 1) {
      throw new StateRestoreException(
          "the file sink's restored state names several writer identities " + distinct);
    }
    String writer = distinct.isEmpty() ? context.jobId() : distinct.iterator().next();
    if (writer.isEmpty() || !writer.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "the file sink's writer identity '"
              + writer
              + "' (the job id) must be letters, digits, '.', '_' or '-': it is part of file names");
    }
    return writer;
  }

  /**
   * Checks that every pending file of the restored state is in storage, or was committed already;
   * changes nothing.
   *
   * @throws StateRestoreException naming the first file that is gone
   */
  private void verifyRestorable(List<Pending> restored)
      throws StorageException, StateRestoreException {
    for (Pending p : restored) {
      if (!storage.exists(p.pendingPath()) && !storage.exists(p.finalPath())) {
        throw new StateRestoreException(
            "the file sink's pending file "
                + storage.describe(p.pendingPath())
                + " of checkpoint "
                + p.checkpointId()
                + " is missing and was not committed as "
                + storage.describe(p.finalPath()));
      }
    }
  }

  /** Says once (subtask 0) what the directory holds and what this sink will do with it. */
  private void describeDirectory(OperatorStateStore state) throws StorageException {
    if (subtask != 0) {
      return;
    }
    List<String> parts = storage.list("part-");
    long own = parts.stream().filter(p -> ownPart.matcher(p).matches()).count();
    List<String> others = parts.stream().filter(p -> !ownPart.matcher(p).matches()).toList();
    LOG.info(
        "file sink writes part-{}-<checkpoint>-<subtask> to {}; it holds {} parts of this writer{}",
        writer,
        storage.describe(),
        own,
        state.isRestored()
            ? " (those of checkpoints after "
                + state.restoredCheckpointId().getAsLong()
                + " are replaced)"
            : "");
    if (!others.isEmpty()) {
      LOG.warn(
          "output {} also holds {} part files of other jobs or runs (e.g. {}): they are left as"
              + " they are, and readers of the directory see them next to this job's",
          storage.describe(),
          others.size(),
          others.get(0));
    }
  }

  /**
   * Deletes this writer's committed parts of this subtask from checkpoints newer than the one
   * restored. They exist only when recovery fell back past a damaged checkpoint, or a job was
   * started again from an older savepoint of its own: their records are replayed and committed
   * again, so keeping them would duplicate output. Files of other writers are never touched.
   */
  private void rollBackPartsAfter(long restoredCheckpointId) throws StorageException {
    for (String path : storage.list("part-")) {
      Matcher m = ownPart.matcher(path);
      if (m.matches()
          && Integer.parseInt(m.group(2)) == subtask
          && Long.parseLong(m.group(1)) > restoredCheckpointId) {
        LOG.warn(
            "removing committed {}: it is newer than the restored checkpoint {} and is replayed",
            storage.describe(path),
            restoredCheckpointId);
        storage.delete(path);
      }
    }
  }

  /**
   * Deletes this writer's pending files of this subtask: none is referred to by a completed
   * checkpoint any more (those of the restored one were just committed).
   */
  private void discardUncommitted() throws StorageException {
    for (String path : storage.list(PENDING)) {
      Matcher m = ownPending.matcher(path);
      if (m.matches() && Integer.parseInt(m.group(1)) == subtask) {
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
      String name = String.format("part-%s-%012d-%d", writer, checkpointId, subtask);
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

  /**
   * The committed lines under {@code storage}, of every writer, in part name order: per writer, in
   * commit order (for readers and tests).
   */
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
