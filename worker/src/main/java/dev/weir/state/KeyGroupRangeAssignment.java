package dev.weir.state;

/**
 * Which key group a key belongs to, and which subtask owns which key groups. Pure math, the same in
 * every process: a key's group is {@code murmur(hash(keyBytes)) % maxParallelism}, and subtask
 * {@code i} of {@code p} owns a contiguous range, so that a change of parallelism moves only whole
 * key groups.
 */
public final class KeyGroupRangeAssignment {
  /** Default number of key groups, as in Flink for small parallelism. */
  public static final int DEFAULT_MAX_PARALLELISM = 128;

  /** Key groups are stored in two bytes. */
  public static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

  private KeyGroupRangeAssignment() {}

  /** The key group of a serialized key. */
  public static int keyGroupOf(byte[] keyBytes, int offset, int length, int maxParallelism) {
    return keyGroupForHash(hashBytes(keyBytes, offset, length), maxParallelism);
  }

  /** The key group for a key hash: murmur finalizer, then modulo. */
  public static int keyGroupForHash(int hash, int maxParallelism) {
    return (murmurMix(hash) & 0x7fffffff) % maxParallelism;
  }

  /** The key groups subtask {@code index} of {@code parallelism} owns. */
  public static KeyGroupRange rangeForSubtask(int maxParallelism, int parallelism, int index) {
    checkParallelism(maxParallelism, parallelism);
    if (index < 0 || index >= parallelism) {
      throw new IllegalArgumentException(
          "subtask index " + index + " outside [0, " + parallelism + ")");
    }
    int start = (index * maxParallelism + parallelism - 1) / parallelism;
    int end = ((index + 1) * maxParallelism - 1) / parallelism;
    return KeyGroupRange.of(start, end);
  }

  /** The subtask of {@code parallelism} that owns {@code keyGroup}. */
  public static int subtaskForKeyGroup(int maxParallelism, int parallelism, int keyGroup) {
    return keyGroup * parallelism / maxParallelism;
  }

  public static void checkParallelism(int maxParallelism, int parallelism) {
    if (maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "maxParallelism must be in [1, " + UPPER_BOUND_MAX_PARALLELISM + "]: " + maxParallelism);
    }
    if (parallelism < 1 || parallelism > maxParallelism) {
      throw new IllegalArgumentException(
          "parallelism must be in [1, maxParallelism=" + maxParallelism + "]: " + parallelism);
    }
  }

  /** 32-bit murmur3 of a byte range (seed 0). */
  public static int hashBytes(byte[] data, int offset, int length) {
    int h = 0;
    int i = offset;
    int end = offset + (length & ~3);
    for (; i < end; i += 4) {
      int k =
          (data[i] & 0xff)
              | (data[i + 1] & 0xff) << 8
              | (data[i + 2] & 0xff) << 16
              | (data[i + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    int k = 0;
    switch (length & 3) {
      case 3:
        k ^= (data[i + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (data[i + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= data[i] & 0xff;
        h ^= mixK(k);
      // fall through
      default:
        break;
    }
    h ^= length;
    return fmix(h);
  }

  private static int mixK(int k) {
    k *= 0xcc9e2d51;
    k = Integer.rotateLeft(k, 15);
    return k * 0x1b873593;
  }

  /** Murmur's mix of one int, as Flink applies to hashCode() before the modulo. */
  static int murmurMix(int code) {
    int h = mixK(code);
    h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    h ^= 4;
    return fmix(h);
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
