package dev.weir.state;

import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import org.rocksdb.RocksDBException;

/**
 * Converts the entries of a {@link CanonicalSnapshotFormat} file into the RocksDB backend's layout
 * as a {@link KeyGroupFileReader} reads them: the key becomes {@code
 * [keyGroup:2][keyLength:varint][key]}; a list value loses its count (the RocksDB list value is the
 * length-prefixed elements concatenated); a map value becomes one RocksDB entry per user key under
 * the key followed by the user key. No codec is needed, so states the operator has not registered
 * are converted too. Entries go to RocksDB in large write batches built in Java. Used by the task
 * thread during restore.
 */
final class RocksDbCanonicalImport implements KeyGroupFileReader.EntrySink {

  /** The backend being restored. */
  interface Target {
    /** The column of a state, created (with its metadata) when absent. */
    RocksDbColumn restoredColumn(String name, StateKind kind) throws StateRestoreException;

    void write(RocksDbWriteBatchBuilder batch) throws RocksDBException;
  }

  private final Target target;
  private final RocksDbWriteBatchBuilder batch = new RocksDbWriteBatchBuilder();
  private final ByteArrayWriter key = new ByteArrayWriter(64);
  private final ByteArrayReader in = new ByteArrayReader();
  private String location;
  private RocksDbColumn column;
  private int keyGroup;

  RocksDbCanonicalImport(Target target) {
    this.target = target;
  }

  /** Sets the file read next, for messages. */
  RocksDbCanonicalImport file(String location) {
    this.location = location;
    return this;
  }

  @Override
  public void beginState(int keyGroup, String name, StateKind kind) throws StateRestoreException {
    this.column = target.restoredColumn(name, kind);
    if (column.kind != kind) {
      throw new StateRestoreException(
          "keyed state file "
              + location
              + " holds state '"
              + name
              + "' as "
              + kind
              + " state, but it exists as "
              + column.kind
              + " state");
    }
    this.keyGroup = keyGroup;
  }

  @Override
  public void entry(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength)
      throws StateRestoreException {
    ByteArrayWriter k = key;
    k.reset();
    k.writeByte(keyGroup >>> 8);
    k.writeByte(keyGroup);
    k.writeVarInt(keyLength);
    k.writeBytes(bytes, keyOffset, keyLength);
    int cf = column.columnFamilyId;
    switch (column.kind) {
      case VALUE, REDUCING ->
          batch.put(cf, k.array(), k.position(), bytes, valueOffset, valueLength);
      case LIST -> {
        CanonicalSnapshotFormat.checkValue(column.kind, bytes, valueOffset, valueLength, in);
        in.wrap(bytes, valueOffset, valueLength);
        in.readVarInt(); // the count: RocksDB's list value is the elements alone
        batch.put(cf, k.array(), k.position(), bytes, in.position(), in.remaining());
      }
      case MAP -> {
        int count =
            CanonicalSnapshotFormat.checkValue(column.kind, bytes, valueOffset, valueLength, in);
        in.wrap(bytes, valueOffset, valueLength);
        in.readVarInt();
        int prefixLength = k.position();
        for (int i = 0; i < count; i++) {
          int userKeyLength = in.readVarInt();
          k.position(prefixLength);
          k.writeBytes(bytes, in.position(), userKeyLength);
          in.skip(userKeyLength);
          int length = in.readVarInt();
          batch.put(cf, k.array(), k.position(), bytes, in.position(), length);
          in.skip(length);
        }
      }
    }
    if (batch.sizeBytes() >= RocksDbKeyedStateBackend.COPY_BATCH_BYTES) {
      flush();
    }
  }

  /** Writes what is still batched. */
  void flush() throws StateRestoreException {
    if (batch.count() == 0) {
      return;
    }
    try {
      target.write(batch);
    } catch (RocksDBException e) {
      throw new StateRestoreException(
          "cannot write the state of keyed state file "
              + location
              + " to RocksDB: "
              + e.getMessage(),
          e);
    }
    batch.reset();
  }
}
