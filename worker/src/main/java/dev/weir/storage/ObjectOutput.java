package dev.weir.storage;

import java.io.Closeable;
import java.io.OutputStream;

/**
 * An object being written into storage as a stream ({@link CheckpointStorage#directOutput}). Only
 * {@link #commit()} makes it appear; {@link #close()} after a commit does nothing, without one it
 * discards what was written. Used by one thread.
 */
public interface ObjectOutput extends Closeable {
  /** Where the object's bytes go (unbuffered: wrap it); closed by {@link #commit()}. */
  OutputStream stream();

  /** Makes what was written durable and publishes it as the object, replacing any old one. */
  void commit() throws StorageException;

  /** Discards the object unless it was committed. */
  @Override
  void close() throws StorageException;
}
