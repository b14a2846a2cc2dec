package dev.weir.storage;

import java.util.function.Function;

/**
 * An S3 access key pair. {@link #toString()} never shows either key, so a credential cannot reach a
 * log or a message by accident.
 *
 * <p>Credentials come from the environment only (never from a manifest or a command line, which are
 * logged and stored): {@value #WEIR_ACCESS_KEY} / {@value #WEIR_SECRET_KEY}, or when neither of
 * those is set, {@value #AWS_ACCESS_KEY} / {@value #AWS_SECRET_KEY}. A pair is never mixed from the
 * two families.
 */
public record S3Credentials(String accessKey, String secretKey) {
  public static final String WEIR_ACCESS_KEY = "WEIR_S3_ACCESS_KEY";
  public static final String WEIR_SECRET_KEY = "WEIR_S3_SECRET_KEY";
  public static final String AWS_ACCESS_KEY = "AWS_ACCESS_KEY_ID";
  public static final String AWS_SECRET_KEY = "AWS_SECRET_ACCESS_KEY";

  /**
   * @throws IllegalArgumentException when a key is null or blank
   */
  public S3Credentials {
    if (accessKey == null || accessKey.isBlank()) {
      throw new IllegalArgumentException("S3 access key is empty");
    }
    if (secretKey == null || secretKey.isBlank()) {
      throw new IllegalArgumentException("S3 secret key is empty");
    }
  }

  /**
   * Reads the key pair from {@code environment} (a variable name to its value or null, normally
   * {@code System::getenv}).
   *
   * @throws IllegalArgumentException naming the missing variable(s), never a value
   */
  public static S3Credentials fromEnvironment(Function<String, String> environment) {
    String weirAccess = lookup(environment, WEIR_ACCESS_KEY);
    String weirSecret = lookup(environment, WEIR_SECRET_KEY);
    if (weirAccess != null || weirSecret != null) {
      return pair(weirAccess, WEIR_ACCESS_KEY, weirSecret, WEIR_SECRET_KEY);
    }
    String awsAccess = lookup(environment, AWS_ACCESS_KEY);
    String awsSecret = lookup(environment, AWS_SECRET_KEY);
    if (awsAccess != null || awsSecret != null) {
      return pair(awsAccess, AWS_ACCESS_KEY, awsSecret, AWS_SECRET_KEY);
    }
    throw new IllegalArgumentException(
        "no S3 credentials: set the environment variables "
            + WEIR_ACCESS_KEY
            + " and "
            + WEIR_SECRET_KEY
            + " (or "
            + AWS_ACCESS_KEY
            + " and "
            + AWS_SECRET_KEY
            + ")");
  }

  private static S3Credentials pair(
      String access, String accessName, String secret, String secretName) {
    if (access == null) {
      throw new IllegalArgumentException(
          "incomplete S3 credentials: " + secretName + " is set but " + accessName + " is not");
    }
    if (secret == null) {
      throw new IllegalArgumentException(
          "incomplete S3 credentials: " + accessName + " is set but " + secretName + " is not");
    }
    return new S3Credentials(access, secret);
  }

  private static String lookup(Function<String, String> environment, String name) {
    String value = environment.apply(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  @Override
  public String toString() {
    return "S3Credentials[redacted]";
  }
}
