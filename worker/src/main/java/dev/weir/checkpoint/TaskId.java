package dev.weir.checkpoint;

/** One subtask of one stage of a job. */
public record TaskId(int stage, int subtask) implements Comparable<TaskId> {
  @Override
  public int compareTo(TaskId o) {
    return stage != o.stage ? Integer.compare(stage, o.stage) : Integer.compare(subtask, o.subtask);
  }

  @Override
  public String toString() {
    return "stage-" + stage + "/" + subtask;
  }
}
