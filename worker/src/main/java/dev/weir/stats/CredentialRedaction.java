package dev.weir.stats;

import dev.weir.storage.S3Credentials;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text that the statistics show (checkpoint paths, failure messages,
 * health reasons): the values of the S3 key variables of this process, the user-info part of URLs
 * and the values of credential-like parameters ({@code X-Amz-Signature=…}, {@code password=…}).
 * Immutable; any thread.
 *
 * <p>Credentials reach the runtime only through its environment and {@link S3Credentials} never
 * prints them, so this is a second line: an exception message of a storage client, say, may quote a
 * presigned URL.
 */
public final class CredentialRedaction {
  /** What replaces a credential. */
  public static final String MASK = "***";

  // Shorter values would mask ordinary words; real keys are far longer.
  private static final int MIN_SECRET_LENGTH = 6;

  private static final Pattern URL_USER_INFO =
      Pattern.compile("(\\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\\s]+@");
  private static final Pattern CREDENTIAL_PARAMETER =
      Pattern.compile(
          "(?i)\\b(x-amz-signature|x-amz-credential|x-amz-security-token|awsaccesskeyid"
              + "|signature|access[_-]?key(?:[_-]?id)?|secret(?:[_-]?access)?(?:[_-]?key)?"
              + "|session[_-]?token|token|password|passwd)(\\s*[=:]\\s*)([^&\\s\"',;]+)");

  private static final List<String> SECRET_VARIABLES =
      List.of(
          S3Credentials.WEIR_ACCESS_KEY,
          S3Credentials.WEIR_SECRET_KEY,
          S3Credentials.AWS_ACCESS_KEY,
          S3Credentials.AWS_SECRET_KEY);

  private final List<String> secrets;

  private CredentialRedaction(List<String> secrets) {
    this.secrets = List.copyOf(secrets);
  }

  /** Masks the S3 keys found in {@code environment} (normally {@code System::getenv}). */
  public static CredentialRedaction fromEnvironment(Function<String, String> environment) {
    List<String> values = new ArrayList<>();
    for (String variable : SECRET_VARIABLES) {
      String value = environment.apply(variable);
      if (value != null && value.strip().length() >= MIN_SECRET_LENGTH) {
        values.add(value.strip());
      }
    }
    return of(values);
  }

  /** Masks the given secret values (and the patterns every redaction masks). */
  public static CredentialRedaction of(List<String> secretValues) {
    List<String> sorted = new ArrayList<>(secretValues);
    sorted.removeIf(v -> v == null || v.length() < MIN_SECRET_LENGTH);
    // longest first, so a secret containing another is masked whole
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new CredentialRedaction(sorted);
  }

  /** The text with every credential replaced by {@link #MASK}; null stays null. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String result = text;
    for (String secret : secrets) {
      result = result.replace(secret, MASK);
    }
    result = URL_USER_INFO.matcher(result).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
    result =
        CREDENTIAL_PARAMETER.matcher(result).replaceAll("$1$2" + Matcher.quoteReplacement(MASK));
    return result;
  }

  @Override
  public String toString() {
    // never the values themselves
    return "CredentialRedaction[" + secrets.size() + " secret values]";
  }
}
