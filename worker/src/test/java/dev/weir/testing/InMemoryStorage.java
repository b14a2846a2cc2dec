package dev.weir.testing;

import dev.weir.storage.CheckpointStorage;
import dev.weir.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link CheckpointStorage} fake in memory, for unit tests of what uses storage; it keeps the
 * storage contract ({@code CheckpointStorageContract}). Thread-safe (the map is concurrent and
 * objects are replaced whole).
 */
public final class InMemoryStorage implements CheckpointStorage {
  private final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
  private volatile boolean unreachable;

  /** Makes every following call fail as if the storage were down. */
  public void setUnreachable(boolean unreachable) {
    this.unreachable = unreachable;
  }

  /** Refuses a malformed path, as every storage does, then fails if set unreachable. */
  private void check(String path) throws StorageException {
    CheckpointStorage.requireValidPath(path);
    checkReachable(path);
  }

  private void checkPrefix(String prefix) throws StorageException {
    CheckpointStorage.requireValidPrefix(prefix);
    checkReachable(prefix);
  }

  private void checkReachable(String path) throws StorageException {
    if (unreachable) {
      throw new StorageException(describe(path) + ": storage unreachable (test)", null);
    }
  }

  @Override
  public void write(String path, byte[] bytes) throws StorageException {
    check(path);
    objects.put(path, bytes.clone());
  }

  @Override
  public void upload(String path, Path localFile) throws StorageException {
    check(path);
    try {
      objects.put(path, Files.readAllBytes(localFile));
    } catch (IOException e) {
      throw new StorageException(
          "cannot upload " + localFile + " to " + describe(path) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] read(String path) throws StorageException {
    check(path);
    byte[] bytes = objects.get(path);
    if (bytes == null) {
      throw new StorageException(describe(path) + ": not found", null, true);
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
      throw new StorageException(
          "cannot download " + describe(path) + " to " + localFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean exists(String path) throws StorageException {
    check(path);
    return objects.containsKey(path);
  }

  @Override
  public List<String> list(String prefix) throws StorageException {
    checkPrefix(prefix);
    List<String> paths = new ArrayList<>();
    for (String key : objects.tailMap(prefix).keySet()) {
      if (!key.startsWith(prefix)) {
        break;
      }
      paths.add(key);
    }
    return paths;
  }

  @Override
  public void copy(String from, String to) throws StorageException {
    write(to, read(from));
  }

  @Override
  public void delete(String path) throws StorageException {
    check(path);
    objects.remove(path);
  }

  @Override
  public void deleteAll(String prefix) throws StorageException {
    for (String path : list(prefix)) {
      objects.remove(path);
    }
  }

  @Override
  public String describe() {
    return "mem://test";
  }

  @Override
  public void close() {}
}
