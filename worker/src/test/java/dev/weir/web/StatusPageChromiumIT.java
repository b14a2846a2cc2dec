package dev.weir.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.runtime.JobStatus;
import dev.weir.stats.CheckpointStatsTracker;
import dev.weir.stats.CredentialRedaction;
import dev.weir.stats.StatsFixtures;
import dev.weir.testbed.Chromium;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status page as headless Chromium renders it from a real server on the loopback interface. */
class StatusPageChromiumIT {
  private static final Pattern HISTORY_BODY =
      Pattern.compile("<table id=\"checkpoint-history\">.*?<tbody>(.*?)</tbody>", Pattern.DOTALL);
  private static final Pattern ROW =
      Pattern.compile(
          "<tr id=\"checkpoint-(\\d+)\" class=\"checkpoint (\\w+)\">(.*?)</tr>", Pattern.DOTALL);
  private static final Pattern CELL = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL);
  private static final Pattern TAG = Pattern.compile("<[^>]+>");

  private final CheckpointStatsTracker tracker =
      StatsFixtures.sampleTracker(CredentialRedaction.of(List.of()));
  private CoordinatorHttpServer server;

  /** One rendered row of the history table: its id, status class and cell texts. */
  private record Row(long id, String statusClass, List<String> cells) {}

  @BeforeEach
  void start() throws IOException {
    server =
        CoordinatorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            tracker::snapshot,
            () -> new JobOverview("page-views", JobStatus.RUNNING, 1, 2, 1500.0, 1480.0),
            Health::ok,
            CredentialRedaction.of(List.of()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theRenderedPageHasOneHistoryRowPerCheckpoint() {
    String dom = Chromium.dumpDom(server.uri().toString());

    List<Row> rows = historyRows(dom);
    assertThat(rows).extracting(Row::id).containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(rows)
        .extracting(Row::statusClass)
        .containsExactly("in_progress", "failed", "completed", "completed", "completed");

    Row completed = rows.get(2);
    // id, status, acks, trigger time, latest ack, duration, size, buffered, in-flight, details
    assertThat(completed.cells())
        .containsExactly(
            "3",
            "COMPLETED",
            "4/4 (100%)",
            "16:02:30.000",
            "16:02:30.025",
            "33 ms",
            "8.80 KiB",
            "4.00 KiB",
            "aligned",
            "file:///data/checkpoints/job/chk-3");
    Row failed = rows.get(1);
    assertThat(failed.cells().get(2)).isEqualTo("1/4 (25%)");
    // the markup in the failure message arrived as text, not as elements
    assertThat(failed.cells().get(9))
        .isEqualTo("checkpoint 4 failed: &lt;b&gt;expired&lt;/b&gt; &amp; \"late\"");
    assertThat(rows.get(0).cells().get(9)).isEqualTo("final");
  }

  @Test
  void theRenderedPageShowsCountsLatestOutcomesAndTheChart() {
    String dom = Chromium.dumpDom(server.uri().toString());

    assertThat(text(dom, "count-triggered")).isEqualTo("5");
    assertThat(text(dom, "count-in-progress")).isEqualTo("1");
    assertThat(text(dom, "count-completed")).isEqualTo("3");
    assertThat(text(dom, "count-failed")).isEqualTo("1");
    assertThat(text(dom, "count-restored")).isEqualTo("1");
    assertThat(text(dom, "latest-restore")).startsWith("ID 2, restored ");
    assertThat(text(dom, "latest-savepoint")).isEqualTo("None");
    assertThat(dom).contains("<svg id=\"history-chart\"");
    assertThat(count(dom, "<circle class=\"duration\"")).isEqualTo(3);
  }

  @Test
  void theScreenshotShowsThePageOnWhiteWithTheChartsPointsAndTheStatusesInTheirColours()
      throws IOException {
    Path png = Path.of("target", "chromium", "status-page.png");
    Files.createDirectories(png.getParent());
    Files.deleteIfExists(png);

    Chromium.screenshot(server.uri().toString(), png, 1280, 1600);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("a PNG that decodes").isNotNull();
    assertThat(image.getWidth()).isEqualTo(1280);
    assertThat(image.getHeight()).isEqualTo(1600);
    Map<Integer, Integer> pixels = new HashMap<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        pixels.merge(image.getRGB(x, y) & 0xffffff, 1, Integer::sum);
      }
    }
    int all = image.getWidth() * image.getHeight();
    // the page's background, and text and table lines on it (a blank or error page fails here)
    assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
    assertThat(pixels.get(0xffffff)).isBetween(all / 2, all - 2_000);
    // the chart: three completed checkpoints as duration points (#0969da) and size points
    // (#8250df), the failed one marked in red (#cf222e), which the failed row's status shares
    assertThat(pixels.getOrDefault(0x0969da, 0)).as("duration blue").isGreaterThan(30);
    assertThat(pixels.getOrDefault(0x8250df, 0)).as("size purple").isGreaterThan(30);
    assertThat(pixels.getOrDefault(0xcf222e, 0)).as("failure red").isGreaterThan(10);
  }

  private static List<Row> historyRows(String dom) {
    Matcher body = HISTORY_BODY.matcher(dom);
    assertThat(body.find()).as("history table in the DOM").isTrue();
    List<Row> rows = new ArrayList<>();
    Matcher row = ROW.matcher(body.group(1));
    while (row.find()) {
      List<String> cells = new ArrayList<>();
      Matcher cell = CELL.matcher(row.group(3));
      while (cell.find()) {
        cells.add(TAG.matcher(cell.group(1)).replaceAll("").trim());
      }
      rows.add(new Row(Long.parseLong(row.group(1)), row.group(2), cells));
    }
    return rows;
  }

  /** The text inside the element with that id (tags removed). */
  private static String text(String dom, String id) {
    Matcher element =
        Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>(.*?)</td>", Pattern.DOTALL)
            .matcher(dom);
    assertThat(element.find()).as("element #" + id).isTrue();
    return TAG.matcher(element.group(1)).replaceAll("").trim();
  }

  private static int count(String text, String needle) {
    int count = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      count++;
    }
    return count;
  }
}
