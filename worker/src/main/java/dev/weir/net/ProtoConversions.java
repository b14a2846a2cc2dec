package dev.weir.net;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.failure.FailureKind;
import dev.weir.proto.runtime.CheckpointAck;
import dev.weir.proto.runtime.NamedEntries;
import dev.weir.proto.runtime.QueryRejection;
import dev.weir.proto.runtime.QueryResult;
import dev.weir.proto.runtime.QueryState;
import dev.weir.proto.runtime.StringEntries;
import dev.weir.proto.runtime.StringEntry;
import dev.weir.proto.runtime.StringList;
import dev.weir.proto.runtime.TaskEvent;
import dev.weir.proto.runtime.TaskRef;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.query.StateValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runtime records to and from their wire form. Pure. */
final class ProtoConversions {
  private ProtoConversions() {}

  static TaskRef toProto(TaskId id) {
    return TaskRef.newBuilder().setStage(id.stage()).setSubtask(id.subtask()).build();
  }

  static TaskId fromProto(TaskRef ref) {
    return new TaskId(ref.getStage(), ref.getSubtask());
  }

  static CheckpointAck toProto(TaskSnapshot s, int attempt) {
    return CheckpointAck.newBuilder()
        .setAttempt(attempt)
        .setTask(toProto(s.task()))
        .setCheckpointId(s.checkpointId())
        .putAllOperators(s.operators())
        .setStateSizeBytes(s.stateSizeBytes())
        .setAlignmentNanos(s.alignmentNanos())
        .setSyncNanos(s.syncNanos())
        .setAsyncNanos(s.asyncNanos())
        .setChannelStateBytes(s.channelStateBytes())
        .setUnaligned(s.unaligned())
        .build();
  }

  static TaskSnapshot fromProto(CheckpointAck ack) {
    return new TaskSnapshot(
        fromProto(ack.getTask()),
        ack.getCheckpointId(),
        ack.getOperatorsMap(),
        ack.getStateSizeBytes(),
        ack.getAlignmentNanos(),
        ack.getSyncNanos(),
        ack.getAsyncNanos(),
        ack.getChannelStateBytes(),
        ack.getUnaligned());
  }

  static dev.weir.proto.runtime.OperatorRestore toProto(String uid, OperatorRestore restore) {
    var builder =
        dev.weir.proto.runtime.OperatorRestore.newBuilder()
            .setUid(uid)
            .setCheckpointId(restore.checkpointId())
            .addAllKeyedState(restore.keyedState())
            .addAllChannelState(restore.channelState());
    restore
        .operatorState()
        .forEach(
            (name, entries) ->
                builder.addOperatorState(
                    NamedEntries.newBuilder().setName(name).addAllEntries(entries)));
    return builder.build();
  }

  static OperatorRestore fromProto(dev.weir.proto.runtime.OperatorRestore restore) {
    Map<String, List<ByteString>> operatorState = new LinkedHashMap<>();
    for (NamedEntries e : restore.getOperatorStateList()) {
      operatorState.put(e.getName(), e.getEntriesList());
    }
    return new OperatorRestore(
        restore.getCheckpointId(),
        restore.getKeyedStateList(),
        operatorState,
        restore.getChannelStateList());
  }

  static QueryState toProto(long requestId, int attempt, int stage, StateQuery query) {
    return QueryState.newBuilder()
        .setRequestId(requestId)
        .setAttempt(attempt)
        .setStage(stage)
        .setOperatorUid(query.operatorUid())
        .setStateName(query.stateName())
        .setKey(ByteString.copyFrom(query.key()))
        .setKeyGroup(query.keyGroup())
        .build();
  }

  static StateQuery fromProto(QueryState query) {
    return new StateQuery(
        query.getOperatorUid(),
        query.getStateName(),
        query.getKey().toByteArray(),
        query.getKeyGroup());
  }

  static QueryResult toProto(long requestId, StateQueryResult result) {
    QueryResult.Builder proto = QueryResult.newBuilder().setRequestId(requestId);
    if (result instanceof StateQueryResult.Found found) {
      proto.setValue(toProto(found.value()));
    } else if (result instanceof StateQueryResult.Rejected rejected) {
      proto.setRejected(
          QueryRejection.newBuilder()
              .setReason(QueryRejection.Reason.valueOf(rejected.reason().name()))
              .setMessage(rejected.message()));
    } else {
      proto.setNotFound(true);
    }
    return proto.build();
  }

  static StateQueryResult fromProto(QueryResult result) {
    return switch (result.getOutcomeCase()) {
      case VALUE -> new StateQueryResult.Found(fromProto(result.getValue()));
      case NOT_FOUND -> new StateQueryResult.NotFound();
      case REJECTED ->
          new StateQueryResult.Rejected(
              fromProto(result.getRejected().getReason()), result.getRejected().getMessage());
      default ->
          new StateQueryResult.Rejected(
              StateQueryResult.Reason.FAILED, "the worker's answer has no outcome");
    };
  }

  private static StateQueryResult.Reason fromProto(QueryRejection.Reason reason) {
    return switch (reason) {
      case UNKNOWN_OPERATOR -> StateQueryResult.Reason.UNKNOWN_OPERATOR;
      case UNKNOWN_STATE -> StateQueryResult.Reason.UNKNOWN_STATE;
      case INVALID_KEY -> StateQueryResult.Reason.INVALID_KEY;
      case UNAVAILABLE -> StateQueryResult.Reason.UNAVAILABLE;
      case TIMED_OUT -> StateQueryResult.Reason.TIMED_OUT;
      default -> StateQueryResult.Reason.FAILED;
    };
  }

  private static dev.weir.proto.runtime.StateValue toProto(StateValue value) {
    var proto = dev.weir.proto.runtime.StateValue.newBuilder();
    if (value instanceof StateValue.Scalar scalar) {
      proto.setScalar(scalar.text());
    } else if (value instanceof StateValue.Elements elements) {
      proto.setElements(StringList.newBuilder().addAllValues(elements.values()));
    } else if (value instanceof StateValue.Entries entries) {
      StringEntries.Builder list = StringEntries.newBuilder();
      entries
          .entries()
          .forEach((k, v) -> list.addEntries(StringEntry.newBuilder().setKey(k).setValue(v)));
      proto.setEntries(list);
    }
    return proto.build();
  }

  private static StateValue fromProto(dev.weir.proto.runtime.StateValue value) {
    return switch (value.getKindCase()) {
      case ELEMENTS -> new StateValue.Elements(value.getElements().getValuesList());
      case ENTRIES -> {
        Map<String, String> entries = new LinkedHashMap<>();
        value.getEntries().getEntriesList().forEach(e -> entries.put(e.getKey(), e.getValue()));
        yield new StateValue.Entries(entries);
      }
      default -> new StateValue.Scalar(value.getScalar());
    };
  }

  /** A failure kind for {@code TaskEvent.failure_kind}. */
  static dev.weir.proto.runtime.FailureKind toProto(FailureKind kind) {
    return switch (kind) {
      case STATE_UNREADABLE -> dev.weir.proto.runtime.FailureKind.STATE_UNREADABLE;
      case STORAGE_UNREACHABLE -> dev.weir.proto.runtime.FailureKind.STORAGE_UNREACHABLE;
      case USER_CODE -> dev.weir.proto.runtime.FailureKind.USER_CODE;
      case INFRASTRUCTURE -> dev.weir.proto.runtime.FailureKind.INFRASTRUCTURE;
    };
  }

  /**
   * The kind of a failed task's event. A worker of protocol version 1 sends no kind: its {@code
   * unreachable_storage} is kept; its {@code restore_failure} only said "while restoring", so the
   * rest counts as {@link FailureKind#INFRASTRUCTURE} (restarted, no checkpoint dropped).
   */
  @SuppressWarnings("deprecation")
  static FailureKind failureKind(TaskEvent event) {
    return switch (event.getFailureKind()) {
      case STATE_UNREADABLE -> FailureKind.STATE_UNREADABLE;
      case STORAGE_UNREACHABLE -> FailureKind.STORAGE_UNREACHABLE;
      case USER_CODE -> FailureKind.USER_CODE;
      case INFRASTRUCTURE -> FailureKind.INFRASTRUCTURE;
      case FAILURE_KIND_UNSPECIFIED, UNRECOGNIZED ->
          event.getUnreachableStorage()
              ? FailureKind.STORAGE_UNREACHABLE
              : FailureKind.INFRASTRUCTURE;
    };
  }
}
