package dev.weir.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.checkpoint.CheckpointFailureReason;
import dev.weir.runtime.JobStatus;
import dev.weir.state.SnapshotType;
import dev.weir.stats.CheckpointStatsSnapshot;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import dev.weir.stats.StatsFixtures;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StatusPageTest {
  private static final CredentialRedaction NO_SECRETS = CredentialRedaction.of(List.of());
  private static final JobOverview JOB =
      new JobOverview("page-views", JobStatus.RUNNING, 1, 2, 1234.5, 1200.0);

  @Test
  void showsOneHistoryRowPerCheckpointNewestFirst() {
    String page = StatusPage.render(StatsFixtures.sampleTracker(NO_SECRETS).snapshot(), JOB);

    Matcher rows =
        Pattern.compile("<tr id=\"checkpoint-(\\d+)\" class=\"checkpoint (\\w+)\">").matcher(page);
    StringBuilder seen = new StringBuilder();
    while (rows.find()) {
      seen.append(rows.group(1)).append(':').append(rows.group(2)).append(' ');
    }
    assertThat(seen.toString().trim())
        .isEqualTo("5:in_progress 4:failed 3:completed 2:completed 1:completed");
  }

  @Test
  void escapesEveryTextFromOutside() {
    CheckpointStatsTracker tracker =
        new CheckpointStatsTracker(10, NO_SECRETS, stage -> "<script>alert('stage')</script>");
    tracker.triggered(1, StatsFixtures.T0, false, SnapshotType.CHECKPOINT, StatsFixtures.ALL_TASKS);
    tracker.acknowledged(
        StatsFixtures.sourceAck(StatsFixtures.SOURCE_0, 1, 8), StatsFixtures.T0 + 1);
    tracker.failed(
        1, StatsFixtures.T0 + 2, CheckpointFailureReason.DECLINED, "<img src=x onerror=alert(1)>");
    JobOverview hostile =
        new JobOverview(
            "</title><script>alert(\"job\")</script>", JobStatus.RUNNING, 0, 1, null, null);

    String page = StatusPage.render(tracker.snapshot(), hostile);

    assertThat(page).doesNotContain("<script").doesNotContain("<img");
    assertThat(page)
        .contains("&lt;/title&gt;&lt;script&gt;alert(&quot;job&quot;)&lt;/script&gt;")
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .contains("&lt;script&gt;alert(&#39;stage&#39;)&lt;/script&gt; (stage 0)");
  }

  @Test
  void drawsOnePointPerCompletedCheckpointAndMarksFailures() {
    String page = StatusPage.render(StatsFixtures.sampleTracker(NO_SECRETS).snapshot(), JOB);

    assertThat(page).contains("<svg id=\"history-chart\"");
    // duration and size panels: 3 completed each, plus the failed one on the duration panel
    assertThat(count(page, "<circle class=\"duration\"")).isEqualTo(3);
    assertThat(count(page, "<circle class=\"size\"")).isEqualTo(3);
    assertThat(count(page, "<circle class=\"failed\"")).isEqualTo(1);
    assertThat(count(page, "<polyline")).isEqualTo(2);
  }

  @Test
  void saysSoWhenThereIsNoCheckpointYet() {
    String page = StatusPage.render(CheckpointStatsSnapshot.empty(100), JOB);

    assertThat(page).contains("id=\"chart-empty\"").doesNotContain("<svg");
    assertThat(page).contains("<tbody>\n</tbody>");
    assertThat(page).contains("<td id=\"latest-completed\"><span class=\"none\">None</span>");
  }

  @Test
  void formatsSizesInBinaryUnits() {
    assertThat(StatusPage.bytes(0)).isEqualTo("0 B");
    assertThat(StatusPage.bytes(1023)).isEqualTo("1023 B");
    assertThat(StatusPage.bytes(9_390)).isEqualTo("9.17 KiB");
    assertThat(StatusPage.bytes(15L << 20)).isEqualTo("15.0 MiB");
    assertThat(StatusPage.bytes(300L << 30)).isEqualTo("300 GiB");
  }

  @Test
  void formatsDurationsAsAPersonReadsThem() {
    assertThat(StatusPage.duration(0)).isEqualTo("0 ms");
    assertThat(StatusPage.duration(999)).isEqualTo("999 ms");
    assertThat(StatusPage.duration(4_210)).isEqualTo("4.21 s");
    assertThat(StatusPage.duration(125_000)).isEqualTo("2m 05s");
  }

  @Test
  void scalesTheDurationPanelToCompletedCheckpointsSoAnExpiredOneDoesNotFlattenThem() {
    String page = StatusPage.render(StatsFixtures.sampleTracker(NO_SECRETS).snapshot(), JOB);

    // the longest completed checkpoint (33 ms) is the top of the scale, the 60 s failure is
    // drawn on that top edge (y = 24)
    assertThat(page).contains(">33 ms</text>");
    assertThat(page).containsPattern("<circle class=\"failed\" cx=\"[0-9.]+\" cy=\"24.0\"");
  }

  private static int count(String text, String needle) {
    int count = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      count++;
    }
    return count;
  }
}
