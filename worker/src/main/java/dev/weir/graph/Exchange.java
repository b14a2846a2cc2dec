package dev.weir.graph;

import dev.weir.api.Codec;
import dev.weir.api.KeySelector;

/**
 * A hash exchange between two stages: every record goes to the subtask owning its key's key group.
 *
 * @param recordCodec encodes the records that cross the exchange
 */
public record Exchange(
    KeySelector<Object, Object> keySelector, Codec<Object> keyCodec, Codec<Object> recordCodec) {}
