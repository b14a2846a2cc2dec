package dev.weir.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be a
 * HELP, TYPE or other comment, a sample, or blank; a family's TYPE must come before its samples and
 * appear once; label values must be quoted with only \\, \" and \n escaped.
 */
final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE_NAME = Pattern.compile(NAME);
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** One metric family: its type, help and samples. */
  record Family(String name, String type, String help, List<Sample> samples) {}

  /** One sample line. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private PrometheusText() {}

  /** The families by name, in order; throws IllegalArgumentException naming the bad line. */
  static Map<String, Family> parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> help = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    if (!lines[lines.length - 1].isEmpty()) {
      throw new IllegalArgumentException("the exposition must end with a line feed");
    }
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      try {
        if (line.isBlank()) {
          continue;
        }
        Matcher matcher;
        if ((matcher = HELP.matcher(line)).matches()) {
          if (help.put(matcher.group(1), unescapeHelp(matcher.group(2))) != null) {
            throw new IllegalArgumentException("second HELP for " + matcher.group(1));
          }
        } else if ((matcher = TYPE.matcher(line)).matches()) {
          String name = matcher.group(1);
          if (families.containsKey(name)) {
            throw new IllegalArgumentException("second TYPE for " + name);
          }
          families.put(name, new Family(name, matcher.group(2), help.get(name), new ArrayList<>()));
        } else if (line.startsWith("#")) {
          continue;
        } else {
          Sample sample = sample(line);
          Family family = familyOf(families, sample.name());
          if (family == null) {
            throw new IllegalArgumentException("sample before its TYPE");
          }
          family.samples().add(sample);
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + " '" + line + "': " + e.getMessage(), e);
      }
    }
    return families;
  }

  private static Family familyOf(Map<String, Family> families, String sampleName) {
    Family family = families.get(sampleName);
    if (family != null) {
      return family;
    }
    for (String suffix : List.of("_sum", "_count", "_bucket", "_total")) {
      if (sampleName.endsWith(suffix)) {
        family = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
        if (family != null) {
          return family;
        }
      }
    }
    return null;
  }

  private static Sample sample(String line) {
    Matcher name = SAMPLE_NAME.matcher(line);
    if (!name.lookingAt()) {
      throw new IllegalArgumentException("no metric name");
    }
    int pos = name.end();
    Map<String, String> labels = new LinkedHashMap<>();
    if (pos < line.length() && line.charAt(pos) == '{') {
      pos++;
      while (line.charAt(pos) != '}') {
        Matcher label = LABEL_NAME.matcher(line).region(pos, line.length());
        if (!label.lookingAt()) {
          throw new IllegalArgumentException("bad label name at " + pos);
        }
        pos = label.end();
        if (line.charAt(pos) != '=' || line.charAt(pos + 1) != '"') {
          throw new IllegalArgumentException("expected =\" at " + pos);
        }
        pos += 2;
        StringBuilder value = new StringBuilder();
        while (line.charAt(pos) != '"') {
          char c = line.charAt(pos++);
          if (c == '\\') {
            char escaped = line.charAt(pos++);
            switch (escaped) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException("bad escape \\" + escaped);
            }
          } else {
            value.append(c);
          }
        }
        pos++;
        if (labels.put(label.group(), value.toString()) != null) {
          throw new IllegalArgumentException("repeated label " + label.group());
        }
        if (line.charAt(pos) == ',') {
          pos++;
        } else if (line.charAt(pos) != '}') {
          throw new IllegalArgumentException("expected , or } at " + pos);
        }
      }
      pos++;
    }
    if (pos >= line.length() || line.charAt(pos) != ' ') {
      throw new IllegalArgumentException("expected a space before the value");
    }
    String[] rest = line.substring(pos + 1).split(" ");
    if (rest.length > 2) {
      throw new IllegalArgumentException("trailing text after the value");
    }
    if (rest.length == 2) {
      Long.parseLong(rest[1]); // timestamp
    }
    return new Sample(name.group(), labels, value(rest[0]));
  }

  private static double value(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  private static String unescapeHelp(String text) {
    return text.replace("\\n", "\n").replace("\\\\", "\\");
  }

  /** The value of the only sample of {@code family} whose labels include {@code labels}. */
  static double value(Map<String, Family> families, String family, Map<String, String> labels) {
    Family found = families.get(family);
    if (found == null) {
      throw new AssertionError("no family " + family + " in " + families.keySet());
    }
    List<Sample> matching =
        found.samples().stream()
            .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
            .toList();
    if (matching.size() != 1) {
      throw new AssertionError(matching.size() + " samples of " + family + " match " + labels);
    }
    return matching.get(0).value();
  }
}
