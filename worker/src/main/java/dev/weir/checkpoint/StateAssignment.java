package dev.weir.checkpoint;

import com.google.protobuf.ByteString;
import dev.weir.proto.ChannelStateHandle;
import dev.weir.proto.CheckpointMetadata;
import dev.weir.proto.KeyedStateHandle;
import dev.weir.proto.OperatorSnapshot;
import dev.weir.proto.OperatorStateHandle;
import dev.weir.proto.SubtaskSnapshot;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroupRangeAssignment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which part of a snapshot each new subtask restores, at any parallelism. Keyed state moves by
 * whole key groups: a subtask gets every handle whose key groups intersect its range. Operator
 * state is redistributed as declared (even split, union, broadcast). Pure.
 */
public final class StateAssignment {
  private StateAssignment() {}

  /**
   * @param operatorUids uids of the operators of the job that restores
   * @return per operator uid, the restore of each subtask index {@code 0..parallelism-1}
   * @throws IllegalStateException when the snapshot has state for an operator the job lacks and
   *     {@code allowNonRestoredState} is false, or when maxParallelism changed
   */
  public static Map<String, List<OperatorRestore>> assign(
      CheckpointMetadata snapshot,
      Set<String> operatorUids,
      int parallelism,
      int maxParallelism,
      boolean allowNonRestoredState) {
    if (snapshot.getMaxParallelism() != maxParallelism) {
      throw new IllegalStateException(
          "the snapshot was taken with maxParallelism "
              + snapshot.getMaxParallelism()
              + " but the job has maxParallelism "
              + maxParallelism
              + "; maxParallelism cannot change across a restore");
    }
    Map<String, List<OperatorRestore>> result = new LinkedHashMap<>();
    for (OperatorSnapshot operator : snapshot.getOperatorsList()) {
      if (!operatorUids.contains(operator.getUid())) {
        if (allowNonRestoredState) {
          continue;
        }
        throw new IllegalStateException(
            "the snapshot has state for operator uid '"
                + operator.getUid()
                + "', which the job does not have; set allowNonRestoredState to drop it");
      }
      result.put(
          operator.getUid(),
          assignOperator(operator, snapshot.getCheckpointId(), parallelism, maxParallelism));
    }
    return result;
  }

  private static List<OperatorRestore> assignOperator(
      OperatorSnapshot operator, long checkpointId, int parallelism, int maxParallelism) {
    List<SubtaskSnapshot> subtasks = new ArrayList<>(operator.getSubtasksList());
    subtasks.sort(Comparator.comparingInt(SubtaskSnapshot::getSubtaskIndex));
    Map<Integer, List<ChannelStateHandle>> channelState = new HashMap<>();
    for (SubtaskSnapshot subtask : subtasks) {
      if (subtask.getChannelStateCount() > 0) {
        channelState.put(subtask.getSubtaskIndex(), subtask.getChannelStateList());
      }
    }
    if (!channelState.isEmpty() && operator.getParallelism() != parallelism) {
      throw new IllegalStateException(
          "checkpoint "
              + checkpointId
              + " is unaligned: it holds in-flight data of operator '"
              + operator.getUid()
              + "' at parallelism "
              + operator.getParallelism()
              + ", which can only be restored at that parallelism (the job asks for "
              + parallelism
              + "); rescale from an aligned checkpoint or a savepoint");
    }
    List<KeyedStateHandle> keyed = new ArrayList<>();
    subtasks.forEach(s -> keyed.addAll(s.getKeyedStateList()));
    Map<String, List<List<ByteString>>> entriesBySubtask = new LinkedHashMap<>();
    Map<String, OperatorStateHandle.Redistribution> modes = new HashMap<>();
    for (SubtaskSnapshot subtask : subtasks) {
      for (OperatorStateHandle handle : subtask.getOperatorStateList()) {
        entriesBySubtask
            .computeIfAbsent(handle.getName(), k -> new ArrayList<>())
            .add(handle.getEntriesList());
        modes.put(handle.getName(), handle.getRedistribution());
      }
    }
    List<OperatorRestore> restores = new ArrayList<>(parallelism);
    for (int index = 0; index < parallelism; index++) {
      KeyGroupRange range =
          KeyGroupRangeAssignment.rangeForSubtask(maxParallelism, parallelism, index);
      List<KeyedStateHandle> mine = new ArrayList<>();
      for (KeyedStateHandle handle : keyed) {
        KeyGroupRange handleRange =
            KeyGroupRange.of(handle.getKeyGroupStart(), handle.getKeyGroupEnd());
        if (!handleRange.intersect(range).isEmpty()) {
          mine.add(handle);
        }
      }
      Map<String, List<ByteString>> operatorState = new LinkedHashMap<>();
      for (var entry : entriesBySubtask.entrySet()) {
        operatorState.put(
            entry.getKey(),
            redistribute(entry.getValue(), modes.get(entry.getKey()), index, parallelism));
      }
      restores.add(
          new OperatorRestore(
              checkpointId, mine, operatorState, channelState.getOrDefault(index, List.of())));
    }
    return restores;
  }

  /** The entries subtask {@code index} of {@code parallelism} gets from the old subtasks' lists. */
  static List<ByteString> redistribute(
      List<List<ByteString>> old,
      OperatorStateHandle.Redistribution mode,
      int index,
      int parallelism) {
    switch (mode) {
      case UNION:
        return old.stream().flatMap(List::stream).toList();
      case BROADCAST:
        return old.isEmpty() ? List.of() : old.get(0);
      default:
        if (old.size() == parallelism) {
          return old.get(index); // same parallelism: every subtask keeps its own entries
        }
        List<ByteString> all = old.stream().flatMap(List::stream).toList();
        int start = (int) ((long) all.size() * index / parallelism);
        int end = (int) ((long) all.size() * (index + 1) / parallelism);
        return all.subList(start, end);
    }
  }
}
