package dev.weir.runtime;

import dev.weir.checkpoint.CheckpointResponder;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.runtime.task.TaskListener;
import java.util.List;
import java.util.Map;

/** Starts the tasks of one attempt: as threads here, or (later) in worker processes. */
@FunctionalInterface
public interface DeploymentFactory {
  /**
   * @param restore per operator uid, the state of each subtask; empty for a fresh start
   */
  Deployment deploy(
      int attempt,
      Map<String, List<OperatorRestore>> restore,
      TaskListener listener,
      CheckpointResponder responder);
}
