package dev.weir.api;

/** What a function may know about where it runs. */
public interface RuntimeContext {
  String jobName();

  /**
   * The id of this run of the job: its directory in checkpoint storage. A restarted coordinator
   * keeps it; a job started from a savepoint gets its own.
   */
  String jobId();

  int subtaskIndex();

  int parallelism();

  int maxParallelism();

  /** 0 for the first run of the job, incremented on every restart after a failure. */
  int attempt();
}
