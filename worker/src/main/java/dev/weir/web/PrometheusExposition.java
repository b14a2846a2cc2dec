package dev.weir.web;

import dev.weir.runtime.JobStatus;
import dev.weir.stats.CheckpointCounts;
import dev.weir.stats.CheckpointDetails;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.DurationPercentiles;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator's metrics in the Prometheus text exposition format (0.0.4), built at each scrape
 * from a statistics snapshot and a job overview, so nothing is registered or updated elsewhere.
 * Stateless; any thread.
 *
 * <p>Counter families are named without {@code _total} here; the format writer appends it. Families
 * about the latest completed checkpoint are left out until there is one, rather than exposing a
 * made-up 0.
 */
public final class PrometheusExposition {
  /** The Content-Type of {@link #write}'s output. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  private PrometheusExposition() {}

  /** Writes every metric family to {@code out} (UTF-8). */
  public static void write(OutputStream out, CheckpointStatsSnapshot checkpoints, JobOverview job)
      throws IOException {
    WRITER.write(out, snapshots(checkpoints, job));
  }

  static MetricSnapshots snapshots(CheckpointStatsSnapshot checkpoints, JobOverview job) {
    List<MetricSnapshot> families = new ArrayList<>();
    CheckpointCounts counts = checkpoints.counts();
    families.add(
        counter("weir_checkpoints_triggered", "Checkpoints triggered.", counts.triggered()));
    families.add(
        counter("weir_checkpoints_completed", "Checkpoints completed.", counts.completed()));
    families.add(
        counter(
            "weir_checkpoints_failed",
            "Checkpoints that failed (expired, declined, metadata not written).",
            counts.failed()));
    families.add(
        counter(
            "weir_checkpoints_aborted",
            "Checkpoints dropped without counting as failures (subsumed, job failover).",
            counts.aborted()));
    families.add(
        counter(
            "weir_checkpoints_restored",
            "Restores of the job's state from a checkpoint.",
            counts.restored()));
    families.add(
        gauge(
            "weir_checkpoints_in_progress",
            "Checkpoints triggered and not yet completed, failed or aborted.",
            counts.inProgress()));

    CheckpointDetails last = checkpoints.latestCompleted();
    if (last != null) {
      families.add(
          gauge(
              "weir_checkpoint_last_duration_ms",
              "End-to-end duration of the latest completed checkpoint, in milliseconds.",
              last.endToEndDurationMillis()));
      families.add(
          gauge(
              "weir_checkpoint_last_size_bytes",
              "State size of the latest completed checkpoint, in bytes.",
              last.stateSizeBytes()));
      families.add(
          gauge(
              "weir_checkpoint_last_alignment_buffered_bytes",
              "Bytes buffered during barrier alignment for the latest completed checkpoint.",
              last.alignmentBufferedBytes()));
      families.add(
          gauge(
              "weir_checkpoint_last_persisted_in_flight_bytes",
              "In-flight data persisted as channel state by the latest completed checkpoint"
                  + " (unaligned checkpoints), in bytes.",
              last.persistedInFlightBytes()));
      families.add(
          gauge(
              "weir_checkpoint_last_unaligned",
              "1 when the latest completed checkpoint was taken unaligned by any subtask, else 0.",
              last.unaligned() ? 1 : 0));
      families.add(
          gauge("weir_checkpoint_last_id", "Id of the latest completed checkpoint.", last.id()));
      if (last.completionTimestampMillis() != null) {
        families.add(
            gauge(
                "weir_checkpoint_last_completion_timestamp_seconds",
                "When the latest completed checkpoint completed, in seconds since the epoch.",
                last.completionTimestampMillis() / 1000.0));
      }
    }
    DurationPercentiles durations = checkpoints.completedDurations();
    if (durations.count() > 0) {
      families.add(
          GaugeSnapshot.builder()
              .name("weir_checkpoint_history_duration_ms")
              .help(
                  "End-to-end durations of the completed checkpoints in the history, in"
                      + " milliseconds: p50, p99 (nearest rank) and max.")
              .dataPoint(statPoint("p50", durations.p50Millis()))
              .dataPoint(statPoint("p99", durations.p99Millis()))
              .dataPoint(statPoint("max", durations.maxMillis()))
              .build());
    }

    families.add(
        InfoSnapshot.builder()
            .name("weir_job")
            .help("The job this coordinator runs.")
            .dataPoint(
                InfoDataPointSnapshot.builder()
                    .labels(Labels.of("name", job.jobName() == null ? "" : job.jobName()))
                    .build())
            .build());
    GaugeSnapshot.Builder up =
        GaugeSnapshot.builder()
            .name("weir_job_up")
            .help("1 for the job's current status, 0 for the others.");
    for (JobStatus status : JobStatus.values()) {
      up.dataPoint(
          GaugeDataPointSnapshot.builder()
              .labels(Labels.of("status", status.name()))
              .value(status == job.status() ? 1 : 0)
              .build());
    }
    families.add(up.build());
    families.add(
        gauge(
            "weir_job_restarts",
            "Restarts of the job since the coordinator started it.",
            job.restarts()));
    families.add(gauge("weir_job_parallelism", "Parallelism of the job.", job.parallelism()));
    if (job.recordsInPerSecond() != null) {
      families.add(
          gauge(
              "weir_job_records_in_per_second",
              "Records read by the sources per second.",
              job.recordsInPerSecond()));
    }
    if (job.recordsOutPerSecond() != null) {
      families.add(
          gauge(
              "weir_job_records_out_per_second",
              "Records written by the sinks per second.",
              job.recordsOutPerSecond()));
    }
    return new MetricSnapshots(families);
  }

  private static CounterSnapshot counter(String name, String help, double value) {
    return CounterSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(CounterDataPointSnapshot.builder().value(value).build())
        .build();
  }

  private static GaugeSnapshot gauge(String name, String help, double value) {
    return GaugeSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(GaugeDataPointSnapshot.builder().value(value).build())
        .build();
  }

  private static GaugeDataPointSnapshot statPoint(String stat, double value) {
    return GaugeDataPointSnapshot.builder().labels(Labels.of("stat", stat)).value(value).build();
  }
}
