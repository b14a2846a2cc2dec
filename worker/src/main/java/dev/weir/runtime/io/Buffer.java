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
