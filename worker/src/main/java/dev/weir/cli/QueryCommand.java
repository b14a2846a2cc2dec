package dev.weir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code weir-worker query --url URL --operator UID --state NAME --key K}: asks a coordinator's
 * HTTP endpoint {@code /api/v1/state/UID/NAME?key=K} for one key's value of a keyed state. The
 * value goes to standard output (a list or map state's as JSON); "not found" and errors go to
 * standard error, so that the output is only ever a value.
 *
 * <p>Exit codes: 0 found, 1 not found, 2 error (unknown operator or state, a key that does not
 * parse, job not running, timeout, coordinator unreachable).
 */
@Command(
    name = "query",
    description = "Look up one key's value of a keyed state of a running job (queryable state).")
final class QueryCommand implements Callable<Integer> {
  static final int FOUND = 0;
  static final int NOT_FOUND = 1;
  static final int ERROR = 2;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8081",
      description = "the coordinator's HTTP endpoint")
  String url;

  @Option(names = "--operator", required = true, description = "uid of the keyed operator")
  String operator;

  @Option(names = "--state", required = true, description = "name of the keyed state")
  String state;

  @Option(
      names = "--key",
      required = true,
      description = "the key, as text (string, int and long keys)")
  String key;

  @Option(
      names = "--timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "how long to wait for the coordinator's answer")
  Duration wait;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI uri;
    try {
      uri = requestUri(url, operator, state, key);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return ERROR;
    }
    HttpResponse<String> response;
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(wait).build();
      response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(wait).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      err.println("cannot query " + uri + ": " + e);
      return ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("interrupted");
      return ERROR;
    }
    JsonNode body;
    try {
      body = new ObjectMapper().readTree(response.body());
    } catch (IOException e) {
      err.println(
          "HTTP " + response.statusCode() + " from " + uri + ": " + response.body().strip());
      return ERROR;
    }
    if (response.statusCode() != 200) {
      JsonNode error = body.get("error");
      err.println(error != null ? error.asText() : "HTTP " + response.statusCode() + ": " + body);
      return ERROR;
    }
    if (!body.path("found").asBoolean(false)) {
      err.println("not found");
      return NOT_FOUND;
    }
    JsonNode value = body.get("value");
    out.println(value.isTextual() ? value.asText() : value.toString());
    out.flush();
    return FOUND;
  }

  /** {@code BASE/api/v1/state/UID/NAME?key=K}, every part percent-encoded. */
  static URI requestUri(String base, String operator, String state, String key) {
    URI root;
    try {
      root = URI.create(base.endsWith("/") ? base : base + "/");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url is not a URL: " + base);
    }
    if (root.getScheme() == null || root.getHost() == null) {
      throw new IllegalArgumentException("--url must be like http://HOST:PORT, not " + base);
    }
    return root.resolve(
        "api/v1/state/"
            + pathSegment(operator)
            + "/"
            + pathSegment(state)
            + "?key="
            + URLEncoder.encode(key, StandardCharsets.UTF_8));
  }

  // URLEncoder encodes for forms: in a path a space must be %20, not '+'
  private static String pathSegment(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
