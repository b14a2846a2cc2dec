package dev.weir.runtime.task;

import dev.weir.api.Collector;
import dev.weir.api.KeySelector;
import dev.weir.api.KeyedProcessFunction;
import dev.weir.api.Sink;
import dev.weir.api.Source;
import dev.weir.graph.OperatorNode;
import dev.weir.graph.Stage;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.query.QueryableOperatorState;
import dev.weir.query.RecordingKeyedStateStore;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.state.DefaultOperatorStateStore;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroupRangeAssignment;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.SnapshotType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operators of one stage subtask wired together by method calls: the source (stage 0) or the
 * keyed operator (later stages) at the head, then maps, filters, and a sink or a {@link
 * dev.weir.runtime.io.RecordWriter} at the end. Knows which operators hold state, for snapshots,
 * and the keyed state handles each keyed operator obtained by name, for state queries.
 *
 * <p>Threading: owned by the task thread. The asynchronous part of a snapshot works on what {@link
 * #snapshotSync} captured ({@link PendingSnapshot}), not on the chain.
 */
final class OperatorChain implements AutoCloseable {
  private final TaskContext context;
  private final List<StatefulOperator> stateful = new ArrayList<>();
  private final List<Sink<Object>> sinks = new ArrayList<>();
  private final Map<String, QueryableOperatorState> queryable = new LinkedHashMap<>();
  private Source<Object> source;
  private KeyedHead keyedHead;
  private final Collector<Object> head;
  private final String headUid;

  /** An operator with state, in chain order. */
  private record StatefulOperator(
      String uid,
      DefaultOperatorStateStore operatorState,
      KeyedStateBackend keyedState,
      Source<Object> source,
      Sink<Object> sink) {}

  /** Hands a record that arrived over a keyed exchange to the keyed operator. */
  interface KeyedHead {
    void process(Object record, int keyGroup);
  }

  @SuppressWarnings("unchecked")
  OperatorChain(TaskContext context, Stage stage, Collector<Object> output) throws Exception {
    this.context = context;
    List<OperatorNode> nodes = stage.operators();
    this.headUid = nodes.get(0).uid();
    Collector<Object> next = output;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      OperatorNode node = nodes.get(i);
      String uid = node.uid();
      Collector<Object> downstream = next;
      if (node instanceof OperatorNode.SinkNode<?> n) {
        Sink<Object> sink = (Sink<Object>) n.sink();
        DefaultOperatorStateStore store = operatorState(uid);
        open(uid, () -> sink.open(context, store));
        sinks.add(sink);
        stateful.add(0, new StatefulOperator(uid, store, null, null, sink));
        next =
            record -> {
              try {
                sink.write(record);
              } catch (Exception e) { // a sink calls nothing of the runtime: all of it is its own
                throw new UserFunctionException(uid, e);
              }
            };
      } else if (node instanceof OperatorNode.MapNode<?, ?> n) {
        var mapper = (dev.weir.api.MapFunction<Object, Object>) n.mapper();
        next =
            record -> {
              Object mapped;
              try {
                mapped = mapper.map(record);
              } catch (Exception e) { // before the record goes downstream: only the map's own
                throw new UserFunctionException(uid, e);
              }
              downstream.collect(mapped);
            };
      } else if (node instanceof OperatorNode.FlatMapNode<?, ?> n) {
        var mapper = (dev.weir.api.FlatMapFunction<Object, Object>) n.mapper();
        next =
            record -> {
              try {
                mapper.flatMap(record, downstream);
              } catch (RuntimeException e) {
                throw e;
              } catch (Exception e) {
                throw new UserFunctionException(uid, e);
              }
            };
      } else if (node instanceof OperatorNode.FilterNode<?> n) {
        var predicate = (dev.weir.api.FilterFunction<Object>) n.predicate();
        next =
            record -> {
              boolean keep;
              try {
                keep = predicate.test(record);
              } catch (Exception e) { // before the record goes downstream: only the filter's own
                throw new UserFunctionException(uid, e);
              }
              if (keep) {
                downstream.collect(record);
              }
            };
      } else if (node instanceof OperatorNode.KeyedProcessNode<?, ?, ?> n) {
        if (i != 0 || stage.input() == null) {
          throw new IllegalStateException("a keyed operator must follow keyBy: " + uid);
        }
        KeyedStateBackend backend = createBackend(uid, stage);
        var function = (KeyedProcessFunction<Object, Object, Object>) n.function();
        // the function gets the backend's own handles; the recorder only remembers them by name
        RecordingKeyedStateStore states = new RecordingKeyedStateStore(backend);
        open(uid, () -> function.open(context, states));
        queryable.put(
            uid, new QueryableOperatorState(uid, backend, states, stage.input().keyCodec()));
        stateful.add(0, new StatefulOperator(uid, null, backend, null, null));
        KeySelector<Object, Object> keys = stage.input().keySelector();
        keyedHead =
            (record, keyGroup) -> {
              Object key = keys.key(record);
              backend.setCurrentKey(key, keyGroup);
              try {
                function.process(key, record, downstream);
              } catch (RuntimeException e) {
                throw e;
              } catch (Exception e) {
                throw new UserFunctionException(uid, e);
              }
            };
      } else if (node instanceof OperatorNode.SourceNode<?> n) {
        source = (Source<Object>) n.source();
        DefaultOperatorStateStore store = operatorState(uid);
        open(uid, () -> source.open(context, store));
        stateful.add(0, new StatefulOperator(uid, store, null, source, null));
      }
    }
    this.head = next;
  }

  /** A user function's {@code open}. */
  private interface Opening {
    void open() throws Exception;
  }

  /**
   * Opens a user function: whatever it throws is the job's code failing ({@link
   * UserFunctionException}), whether or not state was restored before it.
   */
  private static void open(String uid, Opening opening) {
    try {
      opening.open();
    } catch (Exception e) {
      throw new UserFunctionException(uid, e);
    }
  }

  private DefaultOperatorStateStore operatorState(String uid) {
    var restore = context.restoreOf(uid);
    return new DefaultOperatorStateStore(restore.operatorState(), restore.checkpointId());
  }

  private KeyedStateBackend createBackend(String uid, Stage stage) throws Exception {
    KeyGroupRange range =
        KeyGroupRangeAssignment.rangeForSubtask(
            context.maxParallelism(), context.parallelism(), context.subtaskIndex());
    KeyedStateBackend backend =
        context
            .backendFactory()
            .create(
                uid,
                context.subtaskIndex(),
                range,
                context.maxParallelism(),
                stage.input().keyCodec(),
                context.workDir().resolve(uid));
    List<KeyedStateHandle> handles = context.restoreOf(uid).keyedState();
    if (!handles.isEmpty()) {
      backend.restore(handles, context.checkpoints().storage());
    }
    return backend;
  }

  /** The uid of the chain's first operator, whose snapshot holds the task's channel state. */
  String headUid() {
    return headUid;
  }

  /** Where the source's records enter the chain. */
  Collector<Object> head() {
    return head;
  }

  Source<Object> source() {
    return source;
  }

  KeyedHead keyedHead() {
    return keyedHead;
  }

  /**
   * Looks up one key of a keyed state of one of this chain's operators, without changing any state.
   * Between two records only.
   */
  StateQueryResult queryState(StateQuery query) {
    QueryableOperatorState operator = queryable.get(query.operatorUid());
    if (operator == null) {
      return new StateQueryResult.Rejected(
          StateQueryResult.Reason.UNKNOWN_OPERATOR,
          "task " + context.id() + " runs no keyed operator '" + query.operatorUid() + "'");
    }
    return operator.answer(query);
  }

  /**
   * The operators' synchronous part of a snapshot: source positions, sink pre-commits, operator
   * state and keyed state captures, in chain order. Task thread.
   *
   * @param directory where the snapshot's files go; keyed state under {@code <uid>/<subtask>}
   * @throws Exception what an operator threw; captures made so far are discarded
   */
  PendingSnapshot snapshotSync(long checkpointId, SnapshotType type, String directory)
      throws Exception {
    Map<String, List<OperatorStateHandle>> operatorHandles = new LinkedHashMap<>();
    Map<String, KeyedStateBackend.KeyedSnapshot> keyed = new LinkedHashMap<>();
    List<Sink<Object>> preCommitting = new ArrayList<>();
    try {
      for (StatefulOperator op : stateful) {
        if (op.source() != null) {
          op.source().snapshotState(checkpointId);
        }
        if (op.sink() != null) {
          op.sink().snapshotState(checkpointId);
          preCommitting.add(op.sink());
        }
        if (op.operatorState() != null) {
          operatorHandles.put(op.uid(), op.operatorState().snapshot());
        }
        if (op.keyedState() != null) {
          String prefix = directory + "/" + op.uid() + "/" + context.subtaskIndex();
          keyed.put(
              op.uid(),
              op.keyedState()
                  .snapshot(checkpointId, type, context.checkpoints().storage(), prefix));
        }
      }
    } catch (Exception e) {
      keyed.values().forEach(KeyedStateBackend.KeyedSnapshot::discard);
      throw e;
    }
    return new PendingSnapshot(
        checkpointId, operatorHandles, keyed, preCommitting, context.subtaskIndex());
  }

  /** Commits: the sinks make the checkpoint's output visible; backends forget older uploads. */
  void notifyCheckpointComplete(long checkpointId) throws Exception {
    for (Sink<Object> sink : sinks) {
      sink.notifyCheckpointComplete(checkpointId);
    }
    for (StatefulOperator op : stateful) {
      if (op.keyedState() != null) {
        op.keyedState().notifyCheckpointComplete(checkpointId); // incremental checkpoints
      }
    }
  }

  long keyedStateSize() {
    long size = 0;
    for (StatefulOperator op : stateful) {
      if (op.keyedState() != null) {
        size += op.keyedState().estimatedSizeBytes();
      }
    }
    return size;
  }

  @Override
  public void close() {
    for (StatefulOperator op : stateful) {
      try {
        if (op.source() != null) {
          op.source().close();
        }
        if (op.sink() != null) {
          op.sink().close();
        }
        if (op.keyedState() != null) {
          op.keyedState().close();
        }
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(OperatorChain.class)
            .warn("closing operator {} failed: {}", op.uid(), e.toString());
      }
    }
  }
}
