package dev.weir.graph;

import java.util.List;

/**
 * A chain of operators that one task runs on one thread, records passed by method call. Stage 0
 * starts with the source; every later stage starts after a keyed {@link Exchange}.
 *
 * @param input the exchange feeding this stage; null for stage 0
 */
public record Stage(int index, Exchange input, List<OperatorNode> operators) {
  public Stage {
    operators = List.copyOf(operators);
  }

  public String name() {
    return operators.get(0).uid() + (operators.size() > 1 ? " -> ..." : "");
  }

  /** True when the stage's last operator hands records to a next stage rather than a sink. */
  public boolean endsInExchange(JobGraph graph) {
    return index < graph.stages().size() - 1;
  }
}
