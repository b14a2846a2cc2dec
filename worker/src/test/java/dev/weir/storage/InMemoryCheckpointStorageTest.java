package dev.weir.storage;

import dev.weir.state.InMemoryCheckpointStorage;

/**
 * The storage contract for the in-memory fake of the keyed state tests (it can corrupt objects).
 */
class InMemoryCheckpointStorageTest extends CheckpointStorageContract {
  @Override
  protected CheckpointStorage createStorage() {
    return new InMemoryCheckpointStorage();
  }
}
