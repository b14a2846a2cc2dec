package dev.weir.jobs;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments of a built-in job: {@code --name value} (or {@code --name=value}) options and
 * {@code --flag}s, each known in advance, so a typo is refused naming it. The built-in jobs are
 * written as user code is (against the API and the JDK only), so they parse their own arguments; a
 * job of yours may bundle any parser it likes. Confined to the thread of {@code define}.
 */
final class JobArguments {
  private final Map<String, String> values;

  private JobArguments(Map<String, String> values) {
    this.values = values;
  }

  /**
   * @param options the names that take a value, such as {@code --events}
   * @param flags the names that take none, such as {@code --print}
   * @throws IllegalArgumentException naming an unknown option, a missing value or a repeat
   */
  static JobArguments parse(List<String> args, Set<String> options, Set<String> flags) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(0, equals) : arg;
      String value;
      if (flags.contains(name) && equals < 0) {
        value = "true";
      } else if (!options.contains(name)) {
        Set<String> known = new TreeSet<>(options);
        known.addAll(flags);
        throw new IllegalArgumentException(
            "unknown option '" + arg + "' (known: " + String.join(", ", known) + ")");
      } else if (equals > 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new IllegalArgumentException("option '" + name + "' needs a value");
      }
      if (values.put(name, value) != null) {
        throw new IllegalArgumentException("option '" + name + "' is given twice");
      }
    }
    return new JobArguments(values);
  }

  String string(String name) {
    return values.get(name);
  }

  boolean flag(String name) {
    return values.containsKey(name);
  }

  long longValue(String name, long fallback) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid value for option '" + name + "': '" + value + "' is not a whole number");
    }
  }

  int intValue(String name, int fallback) {
    long value = longValue(name, fallback);
    if (value != (int) value) {
      throw new IllegalArgumentException(
          "invalid value for option '" + name + "': " + value + " is too large");
    }
    return (int) value;
  }
}
