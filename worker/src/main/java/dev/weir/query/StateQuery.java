package dev.weir.query;

import java.util.Objects;

/**
 * A read-only lookup of one key's value of a named keyed state, as the task owning the key receives
 * it.
 *
 * @param operatorUid the keyed operator
 * @param stateName the name the operator gave the state ({@code StateDescriptor#name()})
 * @param key the key serialized with the operator's key codec, exactly as the exchange in front of
 *     the operator serializes it
 * @param keyGroup the key group of {@code key} ({@code KeyGroupRangeAssignment.keyGroupOf})
 */
public record StateQuery(String operatorUid, String stateName, byte[] key, int keyGroup) {
  public StateQuery {
    Objects.requireNonNull(operatorUid, "operatorUid");
    Objects.requireNonNull(stateName, "stateName");
    key = key.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateQuery q
        && q.operatorUid.equals(operatorUid)
        && q.stateName.equals(stateName)
        && java.util.Arrays.equals(q.key, key)
        && q.keyGroup == keyGroup;
  }

  @Override
  public int hashCode() {
    return Objects.hash(operatorUid, stateName, java.util.Arrays.hashCode(key), keyGroup);
  }

  @Override
  public String toString() {
    return "StateQuery[" + operatorUid + "/" + stateName + ", keyGroup=" + keyGroup + "]";
  }
}
