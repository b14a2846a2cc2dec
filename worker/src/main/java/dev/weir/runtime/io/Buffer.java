package dev.weir.runtime.io;

/**
 * A batch of serialized records on one channel. Buffers circulate between a sender and a receiver:
 * the receiver hands each one back ({@link Channel#recycle}) after reading it, which is the credit
 * that lets the sender fill it again.
 */
public final class Buffer {
  private final byte[] data;
  private int length;

  public Buffer(int capacity) {
    this.data = new byte[capacity];
  }

  private Buffer(byte[] data) {
    this.data = data;
    this.length = data.length;
  }

  /** A full buffer over {@code data} (restored channel state); belongs to no channel. */
  public static Buffer wrap(byte[] data) {
    return new Buffer(data);
  }

  public byte[] data() {
    return data;
  }

  public int length() {
    return length;
  }

  public void length(int length) {
    this.length = length;
  }

  public int capacity() {
    return data.length;
  }
}
