package dev.weir.web;

import dev.weir.stats.CheckpointCounts;
import dev.weir.stats.CheckpointDetails;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.DurationPercentiles;
import dev.weir.stats.OperatorCheckpointStats;
import dev.weir.stats.RestoreDetails;
import dev.weir.stats.StageCheckpointStats;
import dev.weir.stats.SubtaskCheckpointStats;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The coordinator's web page at {@code /}: the job, the checkpoint counts, the latest outcomes, a
 * chart of duration and size over time and the checkpoint history, one table row per checkpoint.
 * Self-contained (inline CSS and SVG rendered here, no script) because the page must work without
 * any network beyond the coordinator; every text from outside is escaped. Times are UTC. Stateless;
 * any thread.
 */
public final class StatusPage {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final String STYLE =
      """
      body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d232a;background:#fff}
      h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
      table{border-collapse:collapse;font-size:.9rem}
      th,td{padding:.25rem .6rem;border-bottom:1px solid #dde2e7;text-align:left}
      td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      time{white-space:nowrap}h3{font-size:1rem;margin-top:1.2rem}
      tr.completed td.status{color:#1a7f37}tr.failed td.status{color:#cf222e}
      tr.aborted td.status{color:#9a6700}tr.in_progress td.status{color:#0969da}
      tr.subtask td:first-child{padding-left:1.6rem;color:#57606a}
      .none{color:#8c959f}svg{max-width:100%;height:auto}
      """;

  private StatusPage() {}

  /** The whole page for one statistics snapshot and job overview. */
  public static String render(CheckpointStatsSnapshot stats, JobOverview job) {
    StringBuilder html = new StringBuilder(16_384);
    String jobName = job.jobName() == null ? "" : job.jobName();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        // no script on the page: the browser's own refresh keeps it current
        .append("<meta http-equiv=\"refresh\" content=\"10\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>Weir · ")
        .append(escape(jobName))
        .append("</title>\n<style>")
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n<h1>Weir · <span id=\"job-name\">")
        .append(escape(jobName))
        .append("</span></h1>\n");
    appendJob(html, job);
    appendCounts(html, stats.counts());
    appendLatest(html, stats);
    html.append("<section id=\"chart\">\n<h2>Duration and state size over time</h2>\n")
        .append(HistoryChart.render(stats.history()))
        .append("</section>\n");
    appendHistory(html, stats);
    if (!stats.history().isEmpty()) {
      appendBreakdown(html, stats.history().get(0));
    }
    html.append("</body>\n</html>\n");
    return html.toString();
  }

  private static void appendJob(StringBuilder html, JobOverview job) {
    html.append("<section id=\"job\">\n<table class=\"facts\">\n");
    fact(html, "Status", "job-status", escape(String.valueOf(job.status())));
    fact(html, "Attempt", "job-attempt", Integer.toString(job.attempt()));
    fact(html, "Parallelism", "job-parallelism", Integer.toString(job.parallelism()));
    fact(html, "Records in / s", "job-records-in", rate(job.recordsInPerSecond()));
    fact(html, "Records out / s", "job-records-out", rate(job.recordsOutPerSecond()));
    html.append("</table>\n</section>\n");
  }

  private static void appendCounts(StringBuilder html, CheckpointCounts counts) {
    html.append("<section id=\"checkpoint-counts\">\n<h2>Checkpoint counts</h2>\n")
        .append("<table class=\"facts\">\n<tr>");
    count(html, "Triggered", "triggered", counts.triggered());
    count(html, "In progress", "in-progress", counts.inProgress());
    count(html, "Completed", "completed", counts.completed());
    count(html, "Failed", "failed", counts.failed());
    count(html, "Aborted", "aborted", counts.aborted());
    count(html, "Restored", "restored", counts.restored());
    html.append("</tr>\n</table>\n</section>\n");
  }

  private static void count(StringBuilder html, String label, String id, long value) {
    html.append("<th>")
        .append(label)
        .append("</th><td class=\"num\" id=\"count-")
        .append(id)
        .append("\">")
        .append(value)
        .append("</td>");
  }

  private static void appendLatest(StringBuilder html, CheckpointStatsSnapshot stats) {
    html.append("<section id=\"latest\">\n<h2>Latest</h2>\n<table class=\"facts\">\n");
    CheckpointDetails completed = stats.latestCompleted();
    fact(
        html,
        "Completed checkpoint",
        "latest-completed",
        completed == null
            ? none()
            : "ID "
                + completed.id()
                + ", completed "
                + dateTime(completed.completionTimestampMillis())
                + ", "
                + duration(completed.endToEndDurationMillis())
                + ", "
                + bytes(completed.stateSizeBytes())
                + (completed.path() == null ? "" : ", " + escape(completed.path())));
    CheckpointDetails failed = stats.latestFailed();
    fact(
        html,
        "Failed checkpoint",
        "latest-failed",
        failed == null
            ? none()
            : "ID "
                + failed.id()
                + ", failed "
                + dateTime(failed.failureTimestampMillis())
                + ": "
                + escape(failed.failureMessage()));
    CheckpointDetails savepoint = stats.latestSavepoint();
    fact(
        html,
        "Savepoint",
        "latest-savepoint",
        savepoint == null ? none() : "ID " + savepoint.id() + ", " + escape(savepoint.path()));
    RestoreDetails restore = stats.latestRestore();
    fact(
        html,
        "Restore",
        "latest-restore",
        restore == null
            ? none()
            : "ID "
                + restore.checkpointId()
                + ", restored "
                + dateTime(restore.restoreTimestampMillis())
                + (restore.path() == null ? "" : ", " + escape(restore.path())));
    DurationPercentiles durations = stats.completedDurations();
    fact(
        html,
        "Duration of completed checkpoints",
        "completed-durations",
        durations.count() == 0
            ? none()
            : "p50 "
                + duration(durations.p50Millis())
                + ", p99 "
                + duration(durations.p99Millis())
                + ", max "
                + duration(durations.maxMillis())
                + " (last "
                + durations.count()
                + ")");
    html.append("</table>\n</section>\n");
  }

  private static void appendHistory(StringBuilder html, CheckpointStatsSnapshot stats) {
    html.append("<section id=\"history\">\n<h2>History (newest first, at most ")
        .append(stats.historyLimit())
        .append(")</h2>\n<table id=\"checkpoint-history\">\n<thead><tr>")
        .append("<th>ID</th><th>Status</th><th>Acknowledged</th><th>Trigger time</th>")
        .append("<th>Latest acknowledgement</th><th>End-to-end duration</th><th>State size</th>")
        .append("<th>Buffered during alignment</th><th>In-flight data persisted</th>")
        .append("<th>Details</th></tr></thead>\n<tbody>\n");
    for (CheckpointDetails checkpoint : stats.history()) {
      html.append("<tr id=\"checkpoint-")
          .append(checkpoint.id())
          .append("\" class=\"checkpoint ")
          .append(checkpoint.status().name().toLowerCase(Locale.ROOT))
          .append("\"><td class=\"num\">")
          .append(checkpoint.id())
          .append("</td><td class=\"status\">")
          .append(checkpoint.status().name())
          .append("</td><td class=\"num\">")
          .append(acks(checkpoint.acknowledgedSubtasks(), checkpoint.totalSubtasks()))
          .append("</td><td>")
          .append(time(checkpoint.triggerTimestampMillis()))
          .append("</td><td>")
          .append(
              checkpoint.latestAckTimestampMillis() == null
                  ? none()
                  : time(checkpoint.latestAckTimestampMillis()))
          .append("</td><td class=\"num\">")
          .append(duration(checkpoint.endToEndDurationMillis()))
          .append("</td><td class=\"num\">")
          .append(bytes(checkpoint.stateSizeBytes()))
          .append("</td><td class=\"num\">")
          .append(bytes(checkpoint.alignmentBufferedBytes()))
          .append("</td><td class=\"num\">")
          .append(checkpoint.unaligned() ? bytes(checkpoint.persistedInFlightBytes()) : "aligned")
          .append("</td><td>")
          .append(details(checkpoint))
          .append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</section>\n");
  }

  private static String details(CheckpointDetails checkpoint) {
    StringBuilder text = new StringBuilder();
    if (checkpoint.finalCheckpoint()) {
      text.append("final");
    }
    if (checkpoint.failureMessage() != null) {
      text.append(text.isEmpty() ? "" : "; ").append(escape(checkpoint.failureMessage()));
    } else if (checkpoint.path() != null) {
      text.append(text.isEmpty() ? "" : "; ").append(escape(checkpoint.path()));
    }
    return text.toString();
  }

  /** Flink's "details for checkpoint n": per stage, then per subtask, and per operator. */
  private static void appendBreakdown(StringBuilder html, CheckpointDetails checkpoint) {
    html.append("<section id=\"breakdown\">\n<h2>Checkpoint ")
        .append(checkpoint.id())
        .append(" by stage and subtask</h2>\n<table id=\"checkpoint-stages\">\n<thead><tr>")
        .append("<th>Stage / subtask</th><th>Acknowledged</th><th>Latest acknowledgement</th>")
        .append("<th>End-to-end duration</th><th>State size</th>")
        .append("<th>Buffered during alignment</th><th>Alignment</th><th>Sync</th>")
        .append("<th>Async</th></tr></thead>\n<tbody>\n");
    for (StageCheckpointStats stage : checkpoint.stages()) {
      html.append("<tr class=\"stage\"><td>")
          .append(
              stage.name() == null
                  ? "stage " + stage.stage()
                  : escape(stage.name()) + " (stage " + stage.stage() + ")")
          .append("</td><td class=\"num\">")
          .append(acks(stage.acknowledgedSubtasks(), stage.totalSubtasks()))
          .append("</td><td>")
          .append(
              stage.latestAckTimestampMillis() == null
                  ? none()
                  : time(stage.latestAckTimestampMillis()))
          .append("</td><td class=\"num\">")
          .append(duration(stage.endToEndDurationMillis()))
          .append("</td><td class=\"num\">")
          .append(bytes(stage.stateSizeBytes()))
          .append("</td><td class=\"num\">")
          .append(bytes(stage.alignmentBufferedBytes()))
          .append("</td><td></td><td></td><td></td></tr>\n");
      for (SubtaskCheckpointStats subtask : stage.subtasks()) {
        html.append("<tr class=\"subtask\"><td>")
            .append(subtask.subtask())
            .append("</td><td class=\"num\">yes</td><td>")
            .append(time(subtask.ackTimestampMillis()))
            .append("</td><td class=\"num\">")
            .append(duration(subtask.endToEndDurationMillis()))
            .append("</td><td class=\"num\">")
            .append(bytes(subtask.stateSizeBytes()))
            .append("</td><td class=\"num\">")
            .append(bytes(subtask.alignmentBufferedBytes()))
            .append("</td><td class=\"num\">")
            .append(nanosAsMillis(subtask.alignmentDurationNanos()))
            .append("</td><td class=\"num\">")
            .append(nanosAsMillis(subtask.syncDurationNanos()))
            .append("</td><td class=\"num\">")
            .append(nanosAsMillis(subtask.asyncDurationNanos()))
            .append("</td></tr>\n");
      }
      for (int pending : stage.pendingSubtasks()) {
        html.append("<tr class=\"subtask pending\"><td>")
            .append(pending)
            .append("</td><td class=\"num none\">pending</td>")
            .append("<td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>\n");
      }
    }
    html.append("</tbody>\n</table>\n");
    List<OperatorCheckpointStats> operators = checkpoint.operators();
    if (!operators.isEmpty()) {
      html.append("<h3>By operator</h3>\n<table id=\"checkpoint-operators\">\n<thead><tr>")
          .append("<th>Operator uid</th>")
          .append("<th>Stage</th><th>Subtasks acknowledged</th><th>State size</th></tr>")
          .append("</thead>\n<tbody>\n");
      for (OperatorCheckpointStats operator : operators) {
        html.append("<tr class=\"operator\"><td>")
            .append(escape(operator.uid()))
            .append("</td><td class=\"num\">")
            .append(operator.stage())
            .append("</td><td class=\"num\">")
            .append(operator.acknowledgedSubtasks())
            .append("</td><td class=\"num\">")
            .append(bytes(operator.stateSizeBytes()))
            .append("</td></tr>\n");
      }
      html.append("</tbody>\n</table>\n");
    }
    html.append("</section>\n");
  }

  private static void fact(StringBuilder html, String label, String id, String valueHtml) {
    html.append("<tr><th>")
        .append(label)
        .append("</th><td id=\"")
        .append(id)
        .append("\">")
        .append(valueHtml)
        .append("</td></tr>\n");
  }

  /** Escapes text for an HTML or SVG element's content or a quoted attribute value. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default -> null;
          };
      if (replacement != null) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(replacement);
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static String none() {
    return "<span class=\"none\">None</span>";
  }

  private static String acks(int acknowledged, int total) {
    int percent = total == 0 ? 0 : (int) (100L * acknowledged / total);
    return acknowledged + "/" + total + " (" + percent + "%)";
  }

  private static String time(long epochMillis) {
    Instant instant = Instant.ofEpochMilli(epochMillis);
    return "<time datetime=\""
        + DateTimeFormatter.ISO_INSTANT.format(instant)
        + "\">"
        + TIME.format(instant)
        + "</time>";
  }

  private static String dateTime(Long epochMillis) {
    return epochMillis == null ? "" : DATE_TIME.format(Instant.ofEpochMilli(epochMillis));
  }

  /** A duration in milliseconds as a person reads it: "33 ms", "4.21 s", "2m 05s". */
  static String duration(long millis) {
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
    return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
  }

  private static String nanosAsMillis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  private static String rate(Double perSecond) {
    return perSecond == null ? none() : String.format(Locale.ROOT, "%.1f", perSecond);
  }

  /** Bytes in binary units, 3 significant digits above 1 KiB ("9.17 KiB"). */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    String pattern = value >= 100 ? "%.0f %s" : value >= 10 ? "%.1f %s" : "%.2f %s";
    return String.format(Locale.ROOT, pattern, value, units[unit]);
  }
}
