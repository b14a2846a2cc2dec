package dev.weir.state;

import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link CheckpointStorage} in memory, for tests; can corrupt what it holds. It keeps the storage
 * contract ({@code CheckpointStorageContract}). Thread-safe (the map is concurrent and objects are
 * replaced whole).
 */
public final class InMemoryCheckpointStorage implements CheckpointStorage {
  private final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();

  @Override
  public void write(String path, byte[] bytes) {
    objects.put(CheckpointStorage.requireValidPath(path), bytes.clone());
  }

  @Override
  public void upload(String path, Path localFile) throws StorageException {
    CheckpointStorage.requireValidPath(path);
    try {
      objects.put(path, Files.readAllBytes(localFile));
    } catch (IOException e) {
      throw new StorageException("cannot upload " + localFile + " to " + describe(path), e);
    }
  }

  @Override
  public byte[] read(String path) throws StorageException {
    byte[] bytes = objects.get(CheckpointStorage.requireValidPath(path));
    if (bytes == null) {
      throw new StorageException("no object " + describe(path), null, true);
    }
    return bytes.clone();
  }

  @Override
  public void download(String path, Path localFile) throws StorageException {
    byte[] bytes = read(path); // first: a missing object leaves no file and no directory
    try {
      Files.createDirectories(localFile.toAbsolutePath().getParent());
      Files.write(localFile, bytes);
    } catch (IOException e) {
      throw new StorageException("cannot download " + describe(path) + " to " + localFile, e);
    }
  }

  @Override
  public boolean exists(String path) {
    return objects.containsKey(CheckpointStorage.requireValidPath(path));
  }

  @Override
  public List<String> list(String prefix) {
    CheckpointStorage.requireValidPrefix(prefix);
    List<String> paths = new ArrayList<>();
    for (String path : objects.tailMap(prefix).keySet()) {
      if (!path.startsWith(prefix)) {
        break;
      }
      paths.add(path);
    }
    return paths;
  }

  @Override
  public void copy(String from, String to) throws StorageException {
    byte[] bytes = read(from);
    objects.put(CheckpointStorage.requireValidPath(to), bytes);
  }

  @Override
  public void delete(String path) {
    objects.remove(CheckpointStorage.requireValidPath(path));
  }

  @Override
  public void deleteAll(String prefix) {
    for (String path : list(prefix)) {
      objects.remove(path);
    }
  }

  @Override
  public String describe() {
    return "memory://test";
  }

  @Override
  public void close() {}

  /** Flips every bit of the byte in the middle of an object. */
  public void flipByte(String path) {
    byte[] bytes = objects.get(path).clone();
    bytes[bytes.length / 2] ^= (byte) 0xff;
    objects.put(path, bytes);
  }

  /** Keeps only the first {@code length} bytes of an object. */
  public void truncate(String path, int length) {
    byte[] bytes = objects.get(path);
    objects.put(path, java.util.Arrays.copyOf(bytes, length));
  }

  public int size(String path) {
    return objects.get(path).length;
  }
}
