package dev.weir.config;

import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.runtime.RestartStrategy;
import dev.weir.state.StateBackendKind;
import dev.weir.storage.StorageLocation;
import java.util.List;
import java.util.function.Supplier;

/**
 * A validated job: everything the runtime needs, typed and defaulted. Built only by {@link
 * ManifestValidator}.
 *
 * @param restartStrategy makes a fresh strategy (strategies count failures)
 */
public record JobSpec(
    String name,
    int parallelism,
    int maxParallelism,
    String entryClass,
    List<String> args,
    CheckpointConfig checkpoints,
    StateBackendKind stateBackend,
    StorageLocation storage,
    String storageEndpoint,
    Supplier<RestartStrategy> restartStrategy,
    String restartStrategyDescription,
    boolean allowNonRestoredState) {}
