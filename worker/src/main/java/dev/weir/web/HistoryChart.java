package dev.weir.web;

import dev.weir.stats.CheckpointDetails;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * An inline SVG chart of the checkpoint history, rendered on the server so the page needs no
 * script: end-to-end duration (top) and state size (bottom) of each completed checkpoint over its
 * trigger time, failed checkpoints marked on the duration panel (on its top edge when they took
 * longer than every completed one). Stateless; any thread.
 */
final class HistoryChart {
  private static final int WIDTH = 760;
  private static final int PANEL_HEIGHT = 150;
  private static final int LEFT = 80;
  private static final int RIGHT = 20;
  private static final int TOP = 24;
  private static final int GAP = 48;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private HistoryChart() {}

  /** The chart for a history given newest first, or a note when nothing completed yet. */
  static String render(List<CheckpointDetails> newestFirst) {
    List<CheckpointDetails> completed = new ArrayList<>();
    List<CheckpointDetails> failed = new ArrayList<>();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      CheckpointDetails checkpoint = newestFirst.get(i);
      switch (checkpoint.status()) {
        case COMPLETED -> completed.add(checkpoint);
        case FAILED -> failed.add(checkpoint);
        default -> {}
      }
    }
    if (completed.isEmpty() && failed.isEmpty()) {
      return "<p class=\"none\" id=\"chart-empty\">No completed checkpoint yet.</p>\n";
    }
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;
    for (CheckpointDetails c : completed) {
      minTime = Math.min(minTime, c.triggerTimestampMillis());
      maxTime = Math.max(maxTime, c.triggerTimestampMillis());
    }
    for (CheckpointDetails c : failed) {
      minTime = Math.min(minTime, c.triggerTimestampMillis());
      maxTime = Math.max(maxTime, c.triggerTimestampMillis());
    }
    TimeAxis axis = new TimeAxis(minTime, maxTime);
    int height = TOP + 2 * PANEL_HEIGHT + GAP + 30;
    StringBuilder svg = new StringBuilder(8_192);
    svg.append("<svg id=\"history-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"checkpoint duration and state size over time\">\n")
        .append("<style>text{font:11px system-ui,sans-serif;fill:#57606a}")
        .append(".axis{stroke:#8c959f}.line{fill:none;stroke-width:1.5}")
        .append(".duration{stroke:#0969da}.size{stroke:#8250df}")
        .append("circle.duration{fill:#0969da}circle.size{fill:#8250df}")
        .append("circle.failed{fill:#cf222e;stroke:none}</style>\n");
    panel(
        svg,
        "duration",
        "End-to-end duration",
        TOP,
        axis,
        completed,
        failed,
        CheckpointDetails::endToEndDurationMillis,
        StatusPage::duration);
    panel(
        svg,
        "size",
        "State size",
        TOP + PANEL_HEIGHT + GAP,
        axis,
        completed,
        List.of(),
        CheckpointDetails::stateSizeBytes,
        StatusPage::bytes);
    int axisY = TOP + 2 * PANEL_HEIGHT + GAP;
    text(svg, LEFT, axisY + 16, "start", TIME.format(Instant.ofEpochMilli(minTime)) + " UTC");
    if (maxTime != minTime) {
      text(svg, WIDTH - RIGHT, axisY + 16, "end", TIME.format(Instant.ofEpochMilli(maxTime)));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void panel(
      StringBuilder svg,
      String cssClass,
      String title,
      int top,
      TimeAxis axis,
      List<CheckpointDetails> points,
      List<CheckpointDetails> failures,
      ToLongFunction<CheckpointDetails> value,
      LongFunction<String> label) {
    // The scale follows the completed checkpoints only: a failure that ran into the timeout
    // would otherwise flatten them all; failures beyond the scale sit on its top edge.
    long max = 0;
    for (CheckpointDetails c : points) {
      max = Math.max(max, value.applyAsLong(c));
    }
    if (points.isEmpty()) {
      for (CheckpointDetails c : failures) {
        max = Math.max(max, value.applyAsLong(c));
      }
    }
    long scaleMax = Math.max(1, max);
    int bottom = top + PANEL_HEIGHT;
    svg.append("<g class=\"panel\" id=\"chart-").append(cssClass).append("\">\n");
    text(svg, LEFT, top - 8, "start", title);
    line(svg, LEFT, top, LEFT, bottom);
    line(svg, LEFT, bottom, WIDTH - RIGHT, bottom);
    text(svg, LEFT - 6, top + 4, "end", label.apply(max));
    text(svg, LEFT - 6, bottom + 4, "end", label.apply(0));
    if (points.size() > 1) {
      svg.append("<polyline class=\"line ").append(cssClass).append("\" points=\"");
      for (CheckpointDetails c : points) {
        svg.append(number(axis.x(c.triggerTimestampMillis())))
            .append(',')
            .append(number(y(value.applyAsLong(c), scaleMax, bottom)))
            .append(' ');
      }
      svg.setLength(svg.length() - 1);
      svg.append("\"/>\n");
    }
    for (CheckpointDetails c : points) {
      circle(svg, cssClass, axis, c, value.applyAsLong(c), scaleMax, bottom, label);
    }
    for (CheckpointDetails c : failures) {
      circle(svg, "failed", axis, c, value.applyAsLong(c), scaleMax, bottom, label);
    }
    svg.append("</g>\n");
  }

  private static void circle(
      StringBuilder svg,
      String cssClass,
      TimeAxis axis,
      CheckpointDetails checkpoint,
      long value,
      long scaleMax,
      int bottom,
      LongFunction<String> label) {
    svg.append("<circle class=\"")
        .append(cssClass)
        .append("\" cx=\"")
        .append(number(axis.x(checkpoint.triggerTimestampMillis())))
        .append("\" cy=\"")
        .append(number(y(Math.min(value, scaleMax), scaleMax, bottom)))
        .append("\" r=\"3\"><title>")
        .append(
            StatusPage.escape(
                "checkpoint "
                    + checkpoint.id()
                    + " "
                    + checkpoint.status().name().toLowerCase(Locale.ROOT)
                    + ": "
                    + label.apply(value)))
        .append("</title></circle>\n");
  }

  private static double y(long value, long scaleMax, int bottom) {
    return bottom - (double) value / scaleMax * PANEL_HEIGHT;
  }

  private static void line(StringBuilder svg, int x1, int y1, int x2, int y2) {
    svg.append("<line class=\"axis\" x1=\"")
        .append(x1)
        .append("\" y1=\"")
        .append(y1)
        .append("\" x2=\"")
        .append(x2)
        .append("\" y2=\"")
        .append(y2)
        .append("\"/>\n");
  }

  private static void text(StringBuilder svg, int x, int y, String anchor, String content) {
    svg.append("<text x=\"")
        .append(x)
        .append("\" y=\"")
        .append(y)
        .append("\" text-anchor=\"")
        .append(anchor)
        .append("\">")
        .append(StatusPage.escape(content))
        .append("</text>\n");
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  /** Maps trigger times onto the plot's width; a single instant sits in the middle. */
  private record TimeAxis(long min, long max) {
    double x(long time) {
      double width = WIDTH - LEFT - RIGHT;
      if (max == min) {
        return LEFT + width / 2;
      }
      return LEFT + (double) (time - min) / (max - min) * width;
    }
  }
}
