package dev.weir.net;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.OperatorRestore;
import dev.weir.checkpoint.TaskId;
import dev.weir.checkpoint.TaskSnapshot;
import dev.weir.proto.runtime.CheckpointAck;
import dev.weir.proto.runtime.NamedEntries;
import dev.weir.proto.runtime.TaskRef;
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
        ack.getAsyncNanos());
  }

  static dev.weir.proto.runtime.OperatorRestore toProto(String uid, OperatorRestore restore) {
    var builder =
        dev.weir.proto.runtime.OperatorRestore.newBuilder()
            .setUid(uid)
            .setCheckpointId(restore.checkpointId())
            .addAllKeyedState(restore.keyedState());
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
        restore.getCheckpointId(), restore.getKeyedStateList(), operatorState);
  }
}
