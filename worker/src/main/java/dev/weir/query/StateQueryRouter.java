package dev.weir.query;

import dev.weir.api.Codec;
import dev.weir.checkpoint.TaskId;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.graph.JobGraph;
import dev.weir.graph.OperatorNode;
import dev.weir.graph.Stage;
import dev.weir.state.KeyGroupRangeAssignment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the task that owns a key of a keyed operator, the way records find it: the key is
 * serialized with the operator's key codec, its key group computed from those bytes ({@link
 * KeyGroupRangeAssignment#keyGroupOf}), and the subtask owning that key group gets the query in the
 * operator's stage. Pure: built from the job's graph and parallelism, safe to use from any thread.
 */
public final class StateQueryRouter {
  private final Map<String, KeyedOperator> keyed = new LinkedHashMap<>();
  private final Set<String> allUids;
  private final int parallelism;
  private final int maxParallelism;

  /** A keyed operator: the stage it heads and the codec of its keys. */
  private record KeyedOperator(int stage, Codec<Object> keyCodec) {}

  /** Where a query goes, and the query as that task receives it. */
  public record Route(TaskId task, StateQuery query) {}

  public StateQueryRouter(JobGraph graph, int parallelism, int maxParallelism) {
    KeyGroupRangeAssignment.checkParallelism(maxParallelism, parallelism);
    this.parallelism = parallelism;
    this.maxParallelism = maxParallelism;
    for (Stage stage : graph.stages()) {
      for (OperatorNode node : stage.operators()) {
        if (node instanceof OperatorNode.KeyedProcessNode<?, ?, ?> && stage.input() != null) {
          keyed.put(node.uid(), new KeyedOperator(stage.index(), stage.input().keyCodec()));
        }
      }
    }
    this.allUids = Set.copyOf(graph.operatorUids());
  }

  /**
   * Routes a query given as text.
   *
   * @throws RejectedQueryException with {@link StateQueryResult.Reason#UNKNOWN_OPERATOR} when no
   *     keyed operator has {@code operatorUid}, or {@link StateQueryResult.Reason#INVALID_KEY} when
   *     {@code key} is not a key of that operator
   */
  public Route route(String operatorUid, String stateName, String key) {
    KeyedOperator operator = keyed.get(operatorUid);
    if (operator == null) {
      String what =
          allUids.contains(operatorUid)
              ? "operator '" + operatorUid + "' has no keyed state"
              : "the job has no operator '" + operatorUid + "'";
      throw new RejectedQueryException(
          StateQueryResult.Reason.UNKNOWN_OPERATOR, what + "; " + keyedOperatorsSentence());
    }
    Object parsed;
    try {
      parsed = KeyParser.parse(operator.keyCodec(), key);
    } catch (KeyParser.InvalidKeyException e) {
      throw new RejectedQueryException(
          StateQueryResult.Reason.INVALID_KEY, "operator '" + operatorUid + "': " + e.getMessage());
    }
    ByteArrayWriter out = new ByteArrayWriter(32);
    operator.keyCodec().write(parsed, out);
    byte[] bytes = out.toByteArray();
    int keyGroup = KeyGroupRangeAssignment.keyGroupOf(bytes, 0, bytes.length, maxParallelism);
    int subtask = KeyGroupRangeAssignment.subtaskForKeyGroup(maxParallelism, parallelism, keyGroup);
    return new Route(
        new TaskId(operator.stage(), subtask),
        new StateQuery(operatorUid, stateName, bytes, keyGroup));
  }

  /** The uids of the operators with keyed state, in pipeline order. */
  public List<String> keyedOperators() {
    return new ArrayList<>(keyed.keySet());
  }

  private String keyedOperatorsSentence() {
    return keyed.isEmpty()
        ? "no operator of this job has keyed state"
        : "operators with keyed state: " + String.join(", ", keyed.keySet());
  }

  /** A query that cannot be routed; {@link #result()} is the answer to give. */
  public static final class RejectedQueryException extends RuntimeException {
    private final StateQueryResult.Reason reason;

    public RejectedQueryException(StateQueryResult.Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    public StateQueryResult.Rejected result() {
      return new StateQueryResult.Rejected(reason, getMessage());
    }
  }
}
