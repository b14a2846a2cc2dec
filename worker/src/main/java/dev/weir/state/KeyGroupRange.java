package dev.weir.state;

/**
 * A contiguous range of key groups, both ends inclusive. Empty when {@code end < start}. Immutable.
 */
public record KeyGroupRange(int start, int end) {

  public static final KeyGroupRange EMPTY = new KeyGroupRange(0, -1);

  public KeyGroupRange {
    if (start < 0) {
      throw new IllegalArgumentException("key group range starts below 0: " + start);
    }
  }

  public static KeyGroupRange of(int start, int end) {
    return end < start ? EMPTY : new KeyGroupRange(start, end);
  }

  public boolean contains(int keyGroup) {
    return keyGroup >= start && keyGroup <= end;
  }

  public int size() {
    return Math.max(0, end - start + 1);
  }

  public boolean isEmpty() {
    return end < start;
  }

  /** The key groups in both ranges. */
  public KeyGroupRange intersect(KeyGroupRange other) {
    return of(Math.max(start, other.start), Math.min(end, other.end));
  }

  @Override
  public String toString() {
    return isEmpty() ? "[]" : "[" + start + ".." + end + "]";
  }
}
