package dev.weir.state.format;

/**
 * The two keyed state file formats that share the key group block structure of {@link
 * HeapSnapshotFormat}: the heap backend's checkpoint format and the backend-independent {@link
 * CanonicalSnapshotFormat} of savepoints. They differ in magic number, in how list and map values
 * are encoded, and in that the canonical format is sorted. Immutable.
 */
public enum KeyGroupFileFormat {
  HEAP(
      HeapSnapshotFormat.MAGIC,
      HeapSnapshotFormat.VERSION,
      HeapSnapshotFormat.FILE_NAME,
      "heap snapshot"),
  CANONICAL(
      CanonicalSnapshotFormat.MAGIC,
      CanonicalSnapshotFormat.VERSION,
      CanonicalSnapshotFormat.FILE_NAME,
      "canonical savepoint");

  final int magic;
  final int version;
  final String fileName;

  /** For messages: "not a heap snapshot". */
  final String label;

  KeyGroupFileFormat(int magic, int version, String fileName, String label) {
    this.magic = magic;
    this.version = version;
    this.fileName = fileName;
    this.label = label;
  }

  /** The name of a snapshot's file in this format, under the snapshot's path prefix. */
  public String fileName() {
    return fileName;
  }

  /** Whether states are written sorted by name and entries by key bytes. */
  boolean sorted() {
    return this == CANONICAL;
  }
}
