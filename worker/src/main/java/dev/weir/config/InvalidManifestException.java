package dev.weir.config;

import java.util.List;

/** A manifest that cannot run; lists every problem with the field it concerns. */
public class InvalidManifestException extends Exception {
  private final List<String> problems;

  public InvalidManifestException(String source, List<String> problems) {
    super("invalid manifest " + source + ":\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
