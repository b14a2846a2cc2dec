package dev.weir.checkpoint;

import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.StateFile;
import dev.weir.proto.SubtaskSnapshot;
import java.util.function.UnaryOperator;

/**
 * Rewrites the file paths in snapshot metadata between "relative to the storage" (what tasks report
 * and read) and "relative to the snapshot's directory" (what a savepoint stores, so that it can be
 * moved). Pure.
 */
final class SnapshotPaths {
  private SnapshotPaths() {}

  /**
   * @throws IllegalArgumentException when a file lies outside {@code directory} (a savepoint must
   *     be self-contained)
   */
  static CheckpointMetadata relativize(CheckpointMetadata metadata, String directory) {
    String prefix = directory + "/";
    return rewrite(
        metadata,
        path -> {
          if (!path.startsWith(prefix)) {
            throw new IllegalArgumentException(
                "savepoint file " + path + " lies outside the savepoint directory " + directory);
          }
          return path.substring(prefix.length());
        });
  }

  static CheckpointMetadata absolutize(CheckpointMetadata metadata, String directory) {
    return rewrite(metadata, path -> directory + "/" + path);
  }

  private static CheckpointMetadata rewrite(
      CheckpointMetadata metadata, UnaryOperator<String> paths) {
    CheckpointMetadata.Builder builder = metadata.toBuilder();
    for (OperatorSnapshot.Builder operator : builder.getOperatorsBuilderList()) {
      for (SubtaskSnapshot.Builder subtask : operator.getSubtasksBuilderList()) {
        for (KeyedStateHandle.Builder handle : subtask.getKeyedStateBuilderList()) {
          for (StateFile.Builder file : handle.getFilesBuilderList()) {
            file.setPath(paths.apply(file.getPath()));
          }
        }
      }
    }
    return builder.build();
  }
}
