package dev.weir.checkpoint;

import com.google.protobuf.ByteString;
import dev.weir.proto.ChannelStateHandle;
import dev.weir.proto.KeyedStateHandle;
import java.util.List;
import java.util.Map;

/**
 * The state one operator subtask starts from: keyed state handles covering (at least) its key
 * groups, and its share of the operator state entries by state name.
 *
 * @param checkpointId the checkpoint (or savepoint) the state comes from; -1 for a fresh start
 * @param channelState in-flight data of an unaligned checkpoint, for the operator at the head of
 *     its task's chain (same parallelism only)
 */
public record OperatorRestore(
    long checkpointId,
    List<KeyedStateHandle> keyedState,
    Map<String, List<ByteString>> operatorState,
    List<ChannelStateHandle> channelState) {
  public static final OperatorRestore EMPTY = new OperatorRestore(-1, List.of(), Map.of());

  public OperatorRestore {
    keyedState = List.copyOf(keyedState);
    operatorState = Map.copyOf(operatorState);
    channelState = List.copyOf(channelState);
  }

  /** A restore without channel state. */
  public OperatorRestore(
      long checkpointId,
      List<KeyedStateHandle> keyedState,
      Map<String, List<ByteString>> operatorState) {
    this(checkpointId, keyedState, operatorState, List.of());
  }
}
