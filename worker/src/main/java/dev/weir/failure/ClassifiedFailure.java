package dev.weir.failure;

/**
 * An exception that states what kind of failure it is, because the code throwing it knows. {@link
 * FailureKind#of} reads it; nothing derives a kind from exception types or messages.
 */
public interface ClassifiedFailure {
  /** The kind of this failure, or null when this exception does not know it (its causes may). */
  FailureKind failureKind();
}
