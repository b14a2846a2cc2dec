package dev.weir.chaos;

/** What the chaos soak does to a running PageViewCount job; one column each in its summary. */
enum FaultKind {
  /** SIGKILL of one worker process; its supervisor starts it again with the same index. */
  WORKER_KILL("worker SIGKILL"),
  /** SIGKILL of the coordinator process, started again at once with the same job id. */
  COORDINATOR_KILL("coordinator SIGKILL"),
  /** SIGSTOP of a worker or the coordinator for longer than the heartbeat timeout, then SIGCONT. */
  PAUSE("SIGSTOP/SIGCONT"),
  /** SIGKILL of MinIO (checkpoints and output) for 10 to 30 s, then started again. */
  STORAGE_OUTAGE("MinIO down"),
  /** Stop-with-savepoint, then a new job from that savepoint at another parallelism. */
  RESCALE("savepoint rescale");

  final String label;

  FaultKind(String label) {
    this.label = label;
  }
}
