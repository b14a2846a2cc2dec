package dev.weir.web;

/**
 * Whether the coordinator is healthy, as {@code /healthz} answers it; immutable.
 *
 * @param reason why it is unhealthy; null when healthy
 */
public record Health(boolean healthy, String reason) {
  private static final Health OK = new Health(true, null);

  public static Health ok() {
    return OK;
  }

  public static Health unhealthy(String reason) {
    return new Health(false, reason == null || reason.isBlank() ? "unhealthy" : reason);
  }
}
