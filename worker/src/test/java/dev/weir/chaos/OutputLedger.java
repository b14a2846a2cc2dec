package dev.weir.chaos;

import java.util.List;

/**
 * The verdict on PageViewCount's committed output: every app {@code 0..keys-1} must have each count
 * {@code 1..perKey} exactly once (in any order: after a rescale an app's counts move between
 * subtasks' files). A count that is absent is lost; every further copy of a count, every count
 * beyond {@code perKey} (a record counted twice pushes the counts past it) and every line that
 * names no app of the job is duplicated.
 *
 * @param sample the first few problems, for the log of a failed run
 */
record OutputLedger(long lines, long lost, long duplicated, String sample) {

  static OutputLedger of(List<String> committedLines, int keys, long perKey) {
    int[][] seen = new int[keys][(int) perKey + 1];
    long duplicated = 0;
    StringBuilder sample = new StringBuilder();
    for (String line : committedLines) {
      String[] parts = line.split(",");
      int app;
      long count;
      try {
        app = Integer.parseInt(parts[0]);
        count = Long.parseLong(parts[1]);
      } catch (RuntimeException e) {
        duplicated++;
        note(sample, "unreadable line '" + line + "'");
        continue;
      }
      if (app < 0 || app >= keys || count < 1 || count > perKey) {
        duplicated++;
        note(sample, "app " + app + " count " + count + " out of range");
      } else if (++seen[app][(int) count] > 1) {
        duplicated++;
        note(sample, "app " + app + " count " + count + " repeated");
      }
    }
    long lost = 0;
    for (int app = 0; app < keys; app++) {
      for (int count = 1; count <= perKey; count++) {
        if (seen[app][count] == 0) {
          lost++;
          note(sample, "app " + app + " count " + count + " missing");
        }
      }
    }
    return new OutputLedger(committedLines.size(), lost, duplicated, sample.toString());
  }

  boolean exact() {
    return lost == 0 && duplicated == 0;
  }

  private static void note(StringBuilder sample, String problem) {
    if (sample.length() < 300) {
      sample.append(sample.length() == 0 ? "" : "; ").append(problem);
    }
  }
}
