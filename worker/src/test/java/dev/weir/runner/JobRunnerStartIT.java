package dev.weir.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.config.JobSpec;
import dev.weir.config.ManifestValidator;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job whose start fails on the job master's thread ends, with the reason, instead of hanging. */
class JobRunnerStartIT {

  @Test
  void aFailureOfTheJobMasterWhileStartingEndsTheJobWithTheReason(@TempDir Path dir)
      throws Exception {
    JobSpec spec =
        new ManifestValidator(System::getenv)
            .validate(
                """
                apiVersion: weir.dev/v1alpha1
                kind: StreamingJob
                metadata: {name: job}
                spec:
                  job: {entryClass: dev.weir.jobs.WordCount, args: [--records, "10"]}
                  storage: {path: '%s'}
                """
                    .formatted(dir.resolve("checkpoints")),
                "test");
    // a job id the storage refuses as a path: listing its checkpoints throws on the main thread
    try (JobRunner runner = new JobRunner(spec, "../x", dir.resolve("work"))) {
      assertThatThrownBy(() -> runner.start().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("unexpected failure of the job master")
          .hasMessageContaining("../x");
    }
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
