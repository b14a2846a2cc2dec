package dev.weir.cli;

import dev.weir.config.JobSpec;
import picocli.CommandLine.Option;

/**
 * {@code --from-savepoint PATH [--allow-non-restored-state]}, shared by the roles that run jobs.
 */
final class RestoreOptions {
  @Option(
      names = {"--from-savepoint", "-s"},
      paramLabel = "PATH",
      description =
          "start from this savepoint (its directory as printed when it completed) unless the job id"
              + " already has snapshots of its own; overrides spec.initialSavepointPath")
  String fromSavepoint;

  @Option(
      names = "--allow-non-restored-state",
      description = "drop state of operators the job no longer has instead of refusing to start")
  boolean allowNonRestoredState;

  JobSpec applyTo(JobSpec spec) {
    if (fromSavepoint == null && !allowNonRestoredState) {
      return spec;
    }
    return spec.withInitialSavepoint(
        fromSavepoint != null ? fromSavepoint : spec.initialSavepointPath(), allowNonRestoredState);
  }
}
