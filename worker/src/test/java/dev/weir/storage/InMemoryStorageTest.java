package dev.weir.storage;

import dev.weir.testing.InMemoryStorage;

/** The storage contract for the in-memory fake that unit tests of storage users take. */
class InMemoryStorageTest extends CheckpointStorageContract {
  @Override
  protected CheckpointStorage createStorage() {
    return new InMemoryStorage();
  }
}
