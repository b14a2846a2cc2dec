package dev.weir.api;

import java.util.List;

/**
 * A streaming job: defines its pipeline from its arguments. Named in a manifest by {@code
 * spec.job.entryClass}, in the jar {@code spec.job.jarURI} names; a public class with a public
 * no-argument constructor. {@link #define} runs once per subtask (every subtask gets its own
 * function instances), on the coordinator and on the workers: keep it deterministic and free of
 * side effects. Job authors see records, functions and state, never threads, buffers or barriers.
 */
public interface StreamJob {
  void define(Pipeline pipeline, List<String> args) throws Exception;
}
