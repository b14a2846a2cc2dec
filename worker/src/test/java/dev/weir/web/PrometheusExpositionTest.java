package dev.weir.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.runtime.JobStatus;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CredentialRedaction;
import dev.weir.stats.StatsFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusExpositionTest {
  private static final CredentialRedaction NO_SECRETS = CredentialRedaction.of(List.of());

  private static Map<String, PrometheusText.Family> expose(
      CheckpointStatsSnapshot checkpoints, JobOverview job) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusExposition.write(out, checkpoints, job);
    return PrometheusText.parse(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void exposesCheckpointCountersGaugesAndPercentiles() throws IOException {
    CheckpointStatsSnapshot stats = StatsFixtures.sampleTracker(NO_SECRETS).snapshot();

    Map<String, PrometheusText.Family> families =
        expose(stats, new JobOverview("page-views", JobStatus.RUNNING, 2, 4, 1500.0, null));

    assertThat(families.get("weir_checkpoints_triggered_total").type()).isEqualTo("counter");
    assertThat(PrometheusText.value(families, "weir_checkpoints_triggered_total", Map.of()))
        .isEqualTo(5);
    assertThat(PrometheusText.value(families, "weir_checkpoints_completed_total", Map.of()))
        .isEqualTo(3);
    assertThat(PrometheusText.value(families, "weir_checkpoints_failed_total", Map.of()))
        .isEqualTo(1);
    assertThat(PrometheusText.value(families, "weir_checkpoints_aborted_total", Map.of())).isZero();
    assertThat(PrometheusText.value(families, "weir_checkpoints_restored_total", Map.of()))
        .isEqualTo(1);
    assertThat(families.get("weir_checkpoints_in_progress").type()).isEqualTo("gauge");
    assertThat(PrometheusText.value(families, "weir_checkpoints_in_progress", Map.of()))
        .isEqualTo(1);
    assertThat(PrometheusText.value(families, "weir_checkpoint_last_duration_ms", Map.of()))
        .isEqualTo(33);
    assertThat(PrometheusText.value(families, "weir_checkpoint_last_size_bytes", Map.of()))
        .isEqualTo(9_016);
    assertThat(PrometheusText.value(families, "weir_checkpoint_last_id", Map.of())).isEqualTo(3);
    assertThat(
            PrometheusText.value(
                families, "weir_checkpoint_last_completion_timestamp_seconds", Map.of()))
        .isEqualTo((StatsFixtures.triggerTime(3) + 30) / 1000.0);
    assertThat(
            PrometheusText.value(
                families, "weir_checkpoint_history_duration_ms", Map.of("stat", "max")))
        .isEqualTo(33);
    assertThat(
            PrometheusText.value(
                families, "weir_checkpoint_history_duration_ms", Map.of("stat", "p50")))
        .isEqualTo(32);
    assertThat(families.get("weir_checkpoints_triggered_total").help()).isNotBlank();
  }

  @Test
  void exposesTheJobsStatusAsOneSeriesPerStatus() throws IOException {
    Map<String, PrometheusText.Family> families =
        expose(
            CheckpointStatsSnapshot.empty(100),
            new JobOverview("page-views", JobStatus.RESTARTING, 3, 4, null, 20.5));

    for (JobStatus status : JobStatus.values()) {
      assertThat(PrometheusText.value(families, "weir_job_up", Map.of("status", status.name())))
          .isEqualTo(status == JobStatus.RESTARTING ? 1 : 0);
    }
    assertThat(PrometheusText.value(families, "weir_job_restarts", Map.of())).isEqualTo(3);
    assertThat(PrometheusText.value(families, "weir_job_parallelism", Map.of())).isEqualTo(4);
    assertThat(PrometheusText.value(families, "weir_job_records_out_per_second", Map.of()))
        .isEqualTo(20.5);
    assertThat(families).doesNotContainKey("weir_job_records_in_per_second");
    assertThat(PrometheusText.value(families, "weir_job_info", Map.of("name", "page-views")))
        .isEqualTo(1);
  }

  @Test
  void leavesOutTheLatestCheckpointGaugesUntilOneCompleted() throws IOException {
    Map<String, PrometheusText.Family> families =
        expose(
            CheckpointStatsSnapshot.empty(100),
            new JobOverview("j", JobStatus.CREATED, -1, 1, null, null));

    assertThat(families)
        .doesNotContainKeys(
            "weir_checkpoint_last_duration_ms",
            "weir_checkpoint_last_size_bytes",
            "weir_checkpoint_history_duration_ms");
    assertThat(PrometheusText.value(families, "weir_checkpoints_triggered_total", Map.of()))
        .isZero();
    assertThat(PrometheusText.value(families, "weir_job_restarts", Map.of())).isZero();
  }

  @Test
  void escapesTheJobNameInItsLabel() throws IOException {
    String name = "odd \"job\" \\ with\nnewline";

    Map<String, PrometheusText.Family> families =
        expose(
            CheckpointStatsSnapshot.empty(100),
            new JobOverview(name, JobStatus.RUNNING, 0, 1, null, null));

    assertThat(PrometheusText.value(families, "weir_job_info", Map.of("name", name))).isEqualTo(1);
  }
}
