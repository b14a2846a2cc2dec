package dev.weir.state.format;

/**
 * The file a heap backend snapshot writes: one per snapshot, named {@link #FILE_NAME} under the
 * snapshot's path prefix. Integers are big-endian; {@code varint} and {@code string} are as in
 * {@link dev.weir.api.BinaryWriter}.
 *
 * <pre>
 * file        := header block* trailer
 * header      := magic:int32 = 'WKHS'  version:int32 = 1  maxParallelism:int32
 *                firstKeyGroup:int32  lastKeyGroup:int32
 * block       := keyGroup:int32  length:int32  content[length]     (key groups ascending, only non-empty)
 * content     := stateCount:int32  state*
 * state       := name:string  kind:byte  entryCount:int32  entry*
 * entry       := keyLength:varint  key  valueLength:varint  value   (key via the backend's key codec)
 * trailer     := -1:int32  blockCount:int32
 * </pre>
 *
 * A value is encoded by kind: value and reducing state with the state's codec; list state as {@code
 * count:varint element*}; map state as {@code count:varint (userKey value)*}. The CRC32C of the
 * whole file is recorded in {@code StateFile.crc32c} and verified before a restore parses it.
 * Length-prefixed blocks let a restore skip key groups outside its range without decoding them.
 * Constants only.
 */
public final class HeapSnapshotFormat {
  public static final int MAGIC = 'W' << 24 | 'K' << 16 | 'H' << 8 | 'S';
  public static final int VERSION = 1;
  static final int END_OF_BLOCKS = -1;
  public static final String FILE_NAME = "keyed-state.heap";

  private HeapSnapshotFormat() {}
}
