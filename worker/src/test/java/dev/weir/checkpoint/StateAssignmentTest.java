package dev.weir.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.SubtaskSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateAssignmentTest {

  private static SubtaskSnapshot subtask(int index, int kgStart, int kgEnd, String... offsets) {
    OperatorStateHandle.Builder state =
        OperatorStateHandle.newBuilder()
            .setName("offsets")
            .setRedistribution(OperatorStateHandle.Redistribution.EVEN_SPLIT);
    for (String o : offsets) {
      state.addEntries(ByteString.copyFromUtf8(o));
    }
    return SubtaskSnapshot.newBuilder()
        .setSubtaskIndex(index)
        .addKeyedState(
            KeyedStateHandle.newBuilder().setKeyGroupStart(kgStart).setKeyGroupEnd(kgEnd))
        .addOperatorState(state)
        .build();
  }

  private static CheckpointMetadata twoSubtasks() {
    return CheckpointMetadata.newBuilder()
        .setMaxParallelism(128)
        .addOperators(
            OperatorSnapshot.newBuilder()
                .setUid("count")
                .setParallelism(2)
                .addSubtasks(subtask(0, 0, 63, "a", "b"))
                .addSubtasks(subtask(1, 64, 127, "c", "d")))
        .build();
  }

  @Test
  void atTheSameParallelismEverySubtaskGetsBackExactlyItsOwnState() {
    List<OperatorRestore> restores =
        StateAssignment.assign(twoSubtasks(), Set.of("count"), 2, 128, false).get("count");

    assertThat(restores.get(0).keyedState())
        .extracting(KeyedStateHandle::getKeyGroupStart)
        .containsExactly(0);
    assertThat(restores.get(1).keyedState())
        .extracting(KeyedStateHandle::getKeyGroupStart)
        .containsExactly(64);
    assertThat(restores.get(0).operatorState().get("offsets"))
        .extracting(ByteString::toStringUtf8)
        .containsExactly("a", "b");
    assertThat(restores.get(1).operatorState().get("offsets"))
        .extracting(ByteString::toStringUtf8)
        .containsExactly("c", "d");
  }

  @Test
  void atAnotherParallelismKeyedStateMovesByKeyGroupAndOperatorStateIsSplitEvenly() {
    List<OperatorRestore> restores =
        StateAssignment.assign(twoSubtasks(), Set.of("count"), 3, 128, false).get("count");

    // ranges of 3 subtasks: [0..42], [43..85], [86..127]
    assertThat(restores.get(0).keyedState())
        .extracting(KeyedStateHandle::getKeyGroupStart)
        .containsExactly(0);
    assertThat(restores.get(1).keyedState())
        .extracting(KeyedStateHandle::getKeyGroupStart)
        .containsExactly(0, 64);
    assertThat(restores.get(2).keyedState())
        .extracting(KeyedStateHandle::getKeyGroupStart)
        .containsExactly(64);
    assertThat(
            restores.stream()
                .flatMap(r -> r.operatorState().get("offsets").stream())
                .map(ByteString::toStringUtf8))
        .containsExactly("a", "b", "c", "d");
  }

  @Test
  void unionGivesEverySubtaskAllEntries() {
    assertThat(
            StateAssignment.redistribute(
                List.of(
                    List.of(ByteString.copyFromUtf8("x")), List.of(ByteString.copyFromUtf8("y"))),
                OperatorStateHandle.Redistribution.UNION,
                0,
                3))
        .extracting(ByteString::toStringUtf8)
        .containsExactly("x", "y");
  }

  @Test
  void refusesStateOfAnUnknownOperatorUnlessAllowed() {
    assertThatThrownBy(() -> StateAssignment.assign(twoSubtasks(), Set.of("other"), 2, 128, false))
        .hasMessageContaining("operator uid 'count'")
        .hasMessageContaining("allowNonRestoredState");
    assertThat(StateAssignment.assign(twoSubtasks(), Set.of("other"), 2, 128, true))
        .isEqualTo(Map.of());
  }

  @Test
  void refusesAChangedMaxParallelism() {
    assertThatThrownBy(() -> StateAssignment.assign(twoSubtasks(), Set.of("count"), 2, 256, false))
        .hasMessageContaining("maxParallelism");
  }

  private static CheckpointMetadata unaligned() {
    dev.weir.proto.ChannelStateHandle inFlight =
        dev.weir.proto.ChannelStateHandle.newBuilder().setChannel(1).setLength(7).build();
    return CheckpointMetadata.newBuilder()
        .setCheckpointId(12)
        .setMaxParallelism(128)
        .addOperators(
            OperatorSnapshot.newBuilder()
                .setUid("count")
                .setParallelism(2)
                .addSubtasks(subtask(0, 0, 63, "a").toBuilder().addChannelState(inFlight))
                .addSubtasks(subtask(1, 64, 127, "b")))
        .build();
  }

  @Test
  void channelStateGoesBackToItsOwnSubtaskAtTheSameParallelism() {
    List<OperatorRestore> restores =
        StateAssignment.assign(unaligned(), Set.of("count"), 2, 128, false).get("count");

    assertThat(restores.get(0).channelState()).hasSize(1);
    assertThat(restores.get(0).channelState().get(0).getLength()).isEqualTo(7);
    assertThat(restores.get(1).channelState()).isEmpty();
  }

  @Test
  void aCheckpointWithChannelStateCannotBeRescaled() {
    assertThatThrownBy(() -> StateAssignment.assign(unaligned(), Set.of("count"), 3, 128, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("checkpoint 12 is unaligned")
        .hasMessageContaining("operator 'count' at parallelism 2")
        .hasMessageContaining("rescale from an aligned checkpoint or a savepoint");
  }
}
