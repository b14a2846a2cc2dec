package dev.weir.runtime.io;

/** The receiving end of a channel, as the receiving task sees it. */
public interface InputChannel {
  /** Index of this channel among the receiver's inputs: the sending subtask's index. */
  int index();

  /** The receiver is done with a buffer: it becomes a credit for the sender. */
  void recycle(Buffer buffer);
}
