package dev.weir.cli;

import dev.weir.config.InvalidManifestException;
import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import dev.weir.graph.InvalidJobException;
import dev.weir.runner.JobRunner;
import dev.weir.storage.StorageException;
import dev.weir.usercode.InvalidUserCodeException;
import dev.weir.usercode.UserCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a manifest for a command, turning every problem into one message for the user, in the order
 * a start needs them and before anything is deployed or written: the manifest's fields ({@link
 * #read}); the job's jar and entry class, and the job's own arguments (its pipeline is defined
 * once) ({@link #loadJob}); for the processes that run the job, the storage ({@link #probeStorage},
 * the first request that may write: a local storage directory is created).
 */
final class Manifests {
  private Manifests() {}

  static JobSpec read(Path manifest) throws StartupError {
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
    if (spec.storageEndpoint() != null && System.getenv("WEIR_S3_ENDPOINT") == null) {
      System.setProperty("weir.s3.endpoint", spec.storageEndpoint()); // for s3:// sink outputs
    }
    return spec;
  }

  /**
   * Loads the job's classes (fetching its jar into {@code workDir/jars} if it is elsewhere) and
   * defines its pipeline once, so that a bad jar, class or argument is refused now.
   *
   * @return the job's code; the caller closes it when the job ends
   */
  static UserCode loadJob(Path manifest, JobSpec spec, Path workDir) throws StartupError {
    UserCode userCode;
    try {
      userCode = UserCode.load(spec.entryClass(), spec.jar(), workDir.resolve(JobRunner.JAR_CACHE));
    } catch (InvalidUserCodeException e) {
      throw invalid(manifest, e.getMessage());
    }
    try {
      JobRunner.graphFactory(spec, userCode).get(); // the job's own arguments, checked by define
    } catch (InvalidJobException e) {
      userCode.close();
      throw invalid(manifest, "spec.job: " + e.getMessage());
    }
    return userCode;
  }

  /**
   * Sends one request to the job's checkpoint storage, so that a process that is to run the job
   * fails at once, with one message, when the storage cannot be used.
   */
  static void probeStorage(Path manifest, JobSpec spec) throws StartupError {
    try {
      spec.storage().probe();
    } catch (StorageException e) {
      throw invalid(manifest, "spec.storage: " + e.getMessage());
    }
  }

  private static StartupError invalid(Path manifest, String problem) {
    return new StartupError("invalid manifest " + manifest + ":\n  - " + problem);
  }
}
