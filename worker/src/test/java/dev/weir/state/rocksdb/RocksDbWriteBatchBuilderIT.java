package dev.weir.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The batches built in Java are byte for byte what RocksDB's own {@link WriteBatch} builds, and
 * RocksDB applies them. Real RocksDB; single-threaded.
 */
class RocksDbWriteBatchBuilderIT {
  static {
    RocksDB.loadLibrary();
  }

  @TempDir Path tempDir;

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aBatchBuiltInJavaIsTheSameAsRocksDbsOwnAndApplies() throws Exception {
    byte[] longKey = bytes("k".repeat(200)); // lengths of two varint bytes
    byte[] longValue = bytes("v".repeat(20_000)); // and of three
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options =
            new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        WriteOptions writeOptions = new WriteOptions().setDisableWAL(true)) {
      List<ColumnFamilyDescriptor> columns = new ArrayList<>();
      columns.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
      for (int i = 1; i <= 200; i++) { // ids above 127 need two varint bytes as well
        columns.add(new ColumnFamilyDescriptor(bytes("state/" + i)));
      }
      try (RocksDB db = RocksDB.open(options, tempDir.toString(), columns, handles)) {
        ColumnFamilyHandle small = handles.get(1);
        ColumnFamilyHandle large = handles.get(200);
        assertThat(large.getID()).isGreaterThan(127);
        db.put(small, bytes("gone"), bytes("soon"));

        RocksDbWriteBatchBuilder builder = new RocksDbWriteBatchBuilder();
        builder.put(99, bytes("discarded"), 9, bytes("by reset"), 8);
        builder.reset();
        byte[] padded = bytes("alice-and-more");
        builder.put(small.getID(), padded, 5, bytes("1"), 1);
        builder.delete(small.getID(), bytes("gone"), 4);
        builder.put(large.getID(), longKey, longKey.length, longValue, longValue.length);
        builder.put(large.getID(), bytes("empty"), 5, new byte[0], 0);

        byte[] expected;
        try (WriteBatch own = new WriteBatch()) {
          own.put(small, bytes("alice"), bytes("1"));
          own.delete(small, bytes("gone"));
          own.put(large, longKey, longValue);
          own.put(large, bytes("empty"), new byte[0]);
          expected = own.data();
        }
        assertThat(builder.count()).isEqualTo(4);
        assertThat(builder.sizeBytes()).isEqualTo(expected.length);
        assertThat(builder.serialized()).isEqualTo(expected);

        try (WriteBatch batch = new WriteBatch(builder.serialized())) {
          db.write(writeOptions, batch);
        }
        assertThat(db.get(small, bytes("alice"))).isEqualTo(bytes("1"));
        assertThat(db.get(small, bytes("gone"))).isNull();
        assertThat(db.get(large, longKey)).isEqualTo(longValue);
        assertThat(db.get(large, bytes("empty"))).isEmpty();
      } finally {
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }
}
