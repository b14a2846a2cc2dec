package dev.weir.state.format;

import dev.weir.codec.ByteArrayReader;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.codec.MalformedDataException;
import dev.weir.state.StateKind;

/**
 * The canonical keyed state format of savepoints: self-contained, independent of the state backend
 * (the heap and RocksDB backends both write and read it), and deterministic — two backends holding
 * the same logical state over the same key group range write byte-identical files. One file per
 * subtask, named {@link #FILE_NAME} under the snapshot's path prefix; its handle names the backend
 * {@value #BACKEND_ID}. Integers are big-endian; {@code varint} and {@code string} are as in {@link
 * dev.weir.api.BinaryWriter}.
 *
 * <pre>
 * file        := header block* trailer
 * header      := magic:int32 = 'WKCS'  version:int32 = 1  maxParallelism:int32
 *                firstKeyGroup:int32  lastKeyGroup:int32
 * block       := keyGroup:int32  length:int32  content[length]     (key groups ascending, only non-empty)
 * content     := stateCount:int32  state*                           (states sorted by name)
 * state       := name:string  kind:byte  entryCount:int32  entry*  (only states with entries)
 * entry       := keyLength:varint  key  valueLength:varint  value  (sorted by key bytes)
 * trailer     := -1:int32  blockCount:int32
 * </pre>
 *
 * The structure is that of {@link HeapSnapshotFormat} (the same code writes and reads both), with
 * its own magic number. Keys are serialized with the operator's key codec; "sorted by bytes" means
 * unsigned lexicographic order, a prefix before its extensions. Names sort by {@link
 * String#compareTo}. A value is encoded by the state's kind:
 *
 * <pre>
 * value, reducing := the state's codec bytes
 * list            := count:varint  (elementLength:varint  element)*          (in list order)
 * map             := count:varint  (userKeyLength:varint  userKey  valueLength:varint  value)*
 *                                                                    (sorted by userKey bytes)
 * </pre>
 *
 * <p>Unlike the heap format, list elements and map entries carry their lengths: a backend converts
 * a canonical file into its own layout without knowing the state's codecs, which it learns only
 * when the operator registers the state — so state an operator does not register is carried over
 * intact. Empty lists and maps are never written.
 *
 * <p>The CRC32C of the whole file is recorded in {@code StateFile.crc32c} and verified before a
 * restore parses it. Length-prefixed blocks let a restore skip key groups outside its range without
 * decoding them. A reader refuses other versions.
 *
 * <p>Constants and stateless checks: any thread.
 */
public final class CanonicalSnapshotFormat {
  public static final int MAGIC = 'W' << 24 | 'K' << 16 | 'C' << 8 | 'S';
  public static final int VERSION = 1;
  public static final String FILE_NAME = "keyed-state.canonical";

  /** {@code KeyedStateHandle.backend} of a canonical snapshot. */
  public static final String BACKEND_ID = "canonical";

  private CanonicalSnapshotFormat() {}

  /**
   * Checks that a list or map value is well-framed: a count, then that many length-prefixed
   * elements (twice as many parts for a map), and nothing after them. Other kinds pass unchecked.
   *
   * @return the count
   * @throws MalformedDataException when it is not
   */
  public static int checkValue(
      StateKind kind, byte[] bytes, int offset, int length, ByteArrayReader in) {
    if (kind != StateKind.LIST && kind != StateKind.MAP) {
      return 1;
    }
    in.wrap(bytes, offset, length);
    int count = in.readVarInt();
    if (count <= 0) {
      throw new MalformedDataException("count " + count + " of a " + kind + " value");
    }
    int parts = kind == StateKind.MAP ? 2 * count : count;
    for (int i = 0; i < parts; i++) {
      int partLength = in.readVarInt();
      if (partLength < 0 || partLength > in.remaining()) {
        throw new MalformedDataException("element length " + partLength + " exceeds its value");
      }
      in.skip(partLength);
    }
    if (in.remaining() != 0) {
      throw new MalformedDataException(in.remaining() + " bytes after the last element");
    }
    return count;
  }

  /**
   * Converts a canonical list or map value to the heap encoding ({@link HeapSnapshotFormat}) by
   * dropping the lengths of elements, user keys and values.
   *
   * @throws MalformedDataException when the value is not well-framed
   */
  public static byte[] toHeapValue(StateKind kind, byte[] canonical) {
    ByteArrayReader in = new ByteArrayReader();
    int count = checkValue(kind, canonical, 0, canonical.length, in);
    in.wrap(canonical, 0, canonical.length);
    in.readVarInt();
    ByteArrayWriter out = new ByteArrayWriter(canonical.length);
    out.writeVarInt(count);
    int parts = kind == StateKind.MAP ? 2 * count : count;
    for (int i = 0; i < parts; i++) {
      int length = in.readVarInt();
      out.writeBytes(canonical, in.position(), length);
      in.skip(length);
    }
    return out.toByteArray();
  }
}
