package dev.weir.api;

import java.util.List;

/**
 * A streaming job: defines its pipeline from its arguments. Named in a manifest by {@code
 * spec.job.entryClass}; needs a public no-argument constructor. Job authors see records, functions
 * and state, never threads, buffers or barriers.
 */
public interface StreamJob {
  void define(Pipeline pipeline, List<String> args) throws Exception;
}
