package dev.weir.config;

import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.runtime.RestartStrategy;
import dev.weir.state.StateBackendKind;
import dev.weir.storage.StorageLocation;
import dev.weir.usercode.JobJar;
import java.util.List;
import java.util.function.Supplier;

/**
 * A validated job: everything the runtime needs, typed and defaulted. Built only by {@link
 * ManifestValidator}.
 *
 * @param entryClass the job's class (a binary name; loaded, and checked to be a job, by {@link
 *     dev.weir.usercode.UserCode#load})
 * @param jar where the entry class is ({@code spec.job.jarURI}), or null: on the runtime's class
 *     path
 * @param restartStrategy makes a fresh strategy (strategies count failures)
 * @param allowNonRestoredState a snapshot may hold state of operators the job no longer has
 * @param initialSavepointPath the savepoint a job without snapshots of its own starts from, or null
 */
public record JobSpec(
    String name,
    int parallelism,
    int maxParallelism,
    String entryClass,
    JobJar jar,
    List<String> args,
    CheckpointConfig checkpoints,
    StateBackendKind stateBackend,
    StorageLocation storage,
    String storageEndpoint,
    Supplier<RestartStrategy> restartStrategy,
    String restartStrategyDescription,
    boolean allowNonRestoredState,
    String initialSavepointPath) {

  /**
   * The same job started from another savepoint (the CLI's {@code --from-savepoint} overrides the
   * manifest's {@code initialSavepointPath}).
   */
  public JobSpec withInitialSavepoint(String path, boolean allowNonRestored) {
    return new JobSpec(
        name,
        parallelism,
        maxParallelism,
        entryClass,
        jar,
        args,
        checkpoints,
        stateBackend,
        storage,
        storageEndpoint,
        restartStrategy,
        restartStrategyDescription,
        allowNonRestored || allowNonRestoredState,
        path);
  }
}
