package dev.weir.connectors;

import dev.weir.api.Codecs;
import dev.weir.api.Collector;
import dev.weir.api.ListState;
import dev.weir.api.OperatorStateStore;
import dev.weir.api.Redistribution;
import dev.weir.api.RuntimeContext;
import dev.weir.api.Source;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of one local file; the position (byte offset of the next line) is operator state, so a
 * restore resumes exactly after the last line of the checkpoint. Read by subtask 0 only (a file is
 * one split); the other subtasks finish at once.
 */
public final class LineFileSource implements Source<String> {
  private static final int BATCH = 256;

  private final String file;
  private ListState<Long> state;
  private InputStream in;
  private long position;
  private boolean reader;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

  public LineFileSource(String file) {
    this.file = file;
  }

  @Override
  public void open(RuntimeContext context, OperatorStateStore store) throws IOException {
    state = store.getListState("position", Codecs.LONG, Redistribution.UNION);
    reader = context.subtaskIndex() == 0;
    if (!reader) {
      return;
    }
    position = state.get().stream().mapToLong(Long::longValue).max().orElse(0);
    in = new BufferedInputStream(Files.newInputStream(Path.of(file)), 64 * 1024);
    long skipped = in.skip(position);
    if (skipped != position) {
      throw new IOException(file + " is shorter than the restored position " + position);
    }
  }

  @Override
  public boolean emitBatch(Collector<String> out) throws IOException {
    if (!reader) {
      return false;
    }
    for (int n = 0; n < BATCH; n++) {
      line.reset();
      int b;
      long consumed = 0;
      while ((b = in.read()) != -1) {
        consumed++;
        if (b == '\n') {
          break;
        }
        line.write(b);
      }
      if (consumed == 0) {
        return false;
      }
      position += consumed;
      out.collect(line.toString(StandardCharsets.UTF_8));
    }
    return true;
  }

  @Override
  public void snapshotState(long checkpointId) {
    state.update(reader ? java.util.List.of(position) : java.util.List.of());
  }

  @Override
  public void close() throws IOException {
    if (in != null) {
      in.close();
    }
  }
}
