package dev.weir.api;

/** Where a job's pipeline starts. */
public interface Pipeline {
  /**
   * Adds a source.
   *
   * @param uid stable operator id: state is matched to operators by it across versions of a job
   */
  <T> DataStream<T> source(String uid, Source<T> source, Codec<T> codec);
}
