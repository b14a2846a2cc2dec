package dev.weir.cli;

import dev.weir.config.InvalidManifestException;
import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.graph.InvalidJobException;
import dev.weir.runner.JobRunner;
import dev.weir.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a manifest for a command, turning every problem into one message for the user: the
 * manifest's fields, the job's arguments (its pipeline is defined once) and, for the processes that
 * run the job, the storage.
 */
final class Manifests {
  private Manifests() {}

  static JobSpec load(Path manifest) throws StartupError {
    JobSpec spec;
    try {
      spec =
          new ManifestValidator(System::getenv)
              .validate(Files.readString(manifest), manifest.toString());
    } catch (IOException e) {
      throw new StartupError("cannot read manifest " + manifest + ": " + e.getMessage());
    } catch (InvalidManifestException e) {
      throw new StartupError(e.getMessage());
    }
    try {
      JobRunner.graphFactory(spec).get(); // the job's own arguments, checked by its define
    } catch (InvalidJobException e) {
      throw new StartupError("invalid manifest " + manifest + ":\n  - spec.job: " + e.getMessage());
    }
    if (spec.storageEndpoint() != null && System.getenv("WEIR_S3_ENDPOINT") == null) {
      System.setProperty("weir.s3.endpoint", spec.storageEndpoint()); // for s3:// sink outputs
    }
    return spec;
  }

  /**
   * Loads the manifest and sends one request to its checkpoint storage, so that a process that is
   * to run the job fails at once, with one message, when the storage cannot be used.
   */
  static JobSpec loadAndProbeStorage(Path manifest) throws StartupError {
    JobSpec spec = load(manifest);
    try {
      spec.storage().probe();
    } catch (StorageException e) {
      throw new StartupError(
          "invalid manifest " + manifest + ":\n  - spec.storage: " + e.getMessage());
    }
    return spec;
  }
}
