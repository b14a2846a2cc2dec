package dev.weir.api;

/** What a function may know about where it runs. */
public interface RuntimeContext {
  String jobName();

  int subtaskIndex();

  int parallelism();

  int maxParallelism();

  /** 0 for the first run of the job, incremented on every restart after a failure. */
  int attempt();
}
