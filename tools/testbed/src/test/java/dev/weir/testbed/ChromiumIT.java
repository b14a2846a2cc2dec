package dev.weir.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChromiumIT {

  @Test
  void dumpsTheDomAfterThePageBuiltIt(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("page.html");
    // the script proves the DOM is the rendered one, not the file's text
    Files.writeString(
        page,
        "<html><body><table id=\"t\"><tr><td>a &amp; b</td></tr></table>"
            + "<script>document.getElementById('t').insertRow().insertCell().textContent='added'"
            + "</script></body></html>");

    String dom = Chromium.dumpDom(page.toUri().toString());

    assertThat(dom).contains("<td>a &amp; b</td>").contains("<td>added</td>");
  }

  @Test
  void takesAPngScreenshot(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("page.html");
    Files.writeString(page, "<html><body><h1>hello</h1></body></html>");

    Path png = Chromium.screenshot(page.toUri().toString(), dir.resolve("shot.png"), 400, 300);

    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).hasSizeGreaterThan(8);
    assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }
}
