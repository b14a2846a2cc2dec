package dev.weir.graph;

import dev.weir.api.StreamJob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A job's operators grouped into stages. Built by running the job's {@link StreamJob#define} once
 * per subtask, so that every subtask gets its own function instances without serializing them.
 */
public record JobGraph(List<Stage> stages) {

  public JobGraph {
    stages = List.copyOf(stages);
    if (stages.isEmpty()) {
      throw new InvalidJobException("the job defines no source");
    }
    Set<String> uids = new HashSet<>();
    for (Stage stage : stages) {
      for (OperatorNode node : stage.operators()) {
        if (!uids.add(node.uid())) {
          throw new InvalidJobException("operator uid '" + node.uid() + "' is used twice");
        }
      }
    }
    Stage last = stages.get(stages.size() - 1);
    if (!(last.operators().get(last.operators().size() - 1) instanceof OperatorNode.SinkNode<?>)) {
      throw new InvalidJobException("the pipeline does not end in a sink");
    }
  }

  /** Runs {@code job.define} and returns the graph it built. */
  public static JobGraph of(StreamJob job, List<String> args) {
    PipelineBuilder builder = new PipelineBuilder();
    try {
      job.define(builder, args);
    } catch (InvalidJobException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidJobException(
          job.getClass().getName() + " failed to define its pipeline: " + e.getMessage(), e);
    }
    return builder.build();
  }

  /** The uids of every operator, in pipeline order. */
  public List<String> operatorUids() {
    List<String> uids = new ArrayList<>();
    stages.forEach(s -> s.operators().forEach(o -> uids.add(o.uid())));
    return uids;
  }
}
